import { DoctorPortal } from "@/components/doctor/DoctorPortal";

export const metadata = { title: "Doctor — EHR" };

export default function DoctorPage() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">Doctor portal</h1>
      <DoctorPortal />
    </div>
  );
}
