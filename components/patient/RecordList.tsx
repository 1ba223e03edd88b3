// Moved to components/records (role-neutral); kept so that existing imports keep working.
export { RecordList } from "@/components/records/RecordList";
