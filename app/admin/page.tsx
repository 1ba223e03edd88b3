import { AdminPortal } from "@/components/admin/AdminPortal";
import { HealthPanel } from "@/components/admin/HealthPanel";

export const metadata = { title: "Admin dashboard — EHR" };

export default function AdminPage() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">Admin dashboard</h1>
      <AdminPortal />
      {/* System health is public (GET /api/health), so it shows before and without the administrator check. */}
      <HealthPanel />
    </div>
  );
}
