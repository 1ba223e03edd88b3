// Moved to components/records (role-neutral); kept so that existing imports keep working.
export { RecordViewer } from "@/components/records/RecordViewer";
