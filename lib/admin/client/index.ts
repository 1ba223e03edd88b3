// Browser use cases of the admin dashboard: doctors registry, licence salts and checks, administrators.
export * as adminApi from "./api";
export { parseAddressInput, type AddressInput } from "./address-input";
export { licenceHash, newLicenceSalt } from "./licence";
export { registerDoctor, validateDoctorForm, type DoctorForm, type DoctorFormErrors, type RegisterDoctorProgress } from "./register-doctor";
export { verifyLicence, type LicenceCheck } from "./verify-licence";
export { removeAdministrator } from "./admins";
export { explainAdminError } from "./explain";
