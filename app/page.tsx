import Link from "next/link";

const portals = [
  { href: "/patient", title: "Patient", text: "Sign up with your wallet, upload your records, and choose who may read them and for how long.", cta: "Open or sign up" },
  { href: "/doctor", title: "Doctor", text: "Open the records patients have shared with you and add records for them.", cta: "Doctor portal" },
  { href: "/admin", title: "Admin dashboard", text: "Register and deactivate doctors, and check that every part of the system is up.", cta: "Admin dashboard" },
];

export default function HomePage() {
  return (
    <div className="space-y-10">
      <section className="space-y-3">
        <h1 className="text-3xl font-bold tracking-tight">Your health records, under your control</h1>
        <p className="max-w-2xl text-lg text-slate-700">
          Records are encrypted in your browser before they leave it and stored on IPFS; only you and the doctors you
          choose can read them. Every grant, revocation and opening is recorded on a blockchain you can check.
        </p>
      </section>
      <ul className="grid gap-4 sm:grid-cols-3">
        {portals.map((portal) => (
          <li key={portal.href} className="flex flex-col rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
            <h2 className="text-lg font-semibold">{portal.title}</h2>
            <p className="mt-2 flex-1 text-slate-600">{portal.text}</p>
            <Link href={portal.href} className="mt-4 inline-block rounded-md bg-brand-600 px-4 py-2 text-center font-medium text-white hover:bg-brand-700">
              {portal.cta}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
