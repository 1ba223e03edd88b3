import { PatientPortal } from "@/components/patient/PatientPortal";

export const metadata = { title: "Patient — EHR" };

export default function PatientPage() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">Patient portal</h1>
      <PatientPortal />
    </div>
  );
}
