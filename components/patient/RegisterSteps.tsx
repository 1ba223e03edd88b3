// Moved to components/keys (role-neutral); kept so that existing imports of txDetail keep working.
export { txDetail, RegisterSteps } from "@/components/keys/RegisterSteps";
