import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { connection } from "next/server";
import { Providers } from "@/components/Providers";
import { WalletStatus } from "@/components/wallet/WalletStatus";
import { publicChainConfig } from "@/lib/chain/server/public-config";
import { getEnv } from "@/lib/config";
import "./globals.css";

export const metadata: Metadata = {
  title: "EHR — patient-controlled health records",
  description: "Your medical records, encrypted in your browser, shared only with the doctors you choose.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Configuration is read per request, not baked in at build time.
  await connection();
  return (
    <html lang="en">
      <body>
        <Providers chain={publicChainConfig()} maxUploadBytes={getEnv().MAX_UPLOAD_BYTES}>
          <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2">
            Skip to content
          </a>
          <header className="border-b border-slate-200 bg-white">
            <nav aria-label="Main" className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
              <div className="flex items-center gap-5">
                <Link href="/" className="text-lg font-semibold text-brand-700">
                  EHR
                </Link>
                <Link href="/patient" className="text-slate-700 hover:text-brand-700">
                  Patient
                </Link>
                <Link href="/doctor" className="text-slate-700 hover:text-brand-700">
                  Doctor
                </Link>
                <Link href="/admin" className="text-slate-700 hover:text-brand-700">
                  Admin
                </Link>
              </div>
              <WalletStatus />
            </nav>
          </header>
          <main id="main" className="mx-auto max-w-5xl px-4 py-8">
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}
