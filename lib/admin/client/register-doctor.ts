import { ChainError, isDoctor, registerDoctor as registerOnChain, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import { parseAddressInput } from "./address-input";
import * as api from "./api";
import { licenceHash, newLicenceSalt } from "./licence";

export interface DoctorForm {
  address: string;
  name: string;
  specialty: string;
  licence: string;
}

export type DoctorFormErrors = Partial<Record<keyof DoctorForm, string>>;

/** Longest name or specialty the contract accepts, in UTF-8 bytes (DoctorContract.MAX_TEXT_LENGTH). */
export const MAX_DOCTOR_TEXT_BYTES = 100;
const MAX_LICENCE_LENGTH = 100;

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

/** Every browser-side check of the registration form; an empty object means valid. */
export function validateDoctorForm(form: DoctorForm): DoctorFormErrors {
  const errors: DoctorFormErrors = {};
  const address = parseAddressInput(form.address);
  if (!address.ok) errors.address = address.message;
  const text = (field: "name" | "specialty", label: string) => {
    const value = form[field].trim();
    if (!value) errors[field] = `Enter the doctor's ${label}.`;
    else if (utf8Length(value) > MAX_DOCTOR_TEXT_BYTES) errors[field] = `The ${label} must be at most ${MAX_DOCTOR_TEXT_BYTES} bytes.`;
  };
  text("name", "name");
  text("specialty", "specialty");
  const licence = form.licence.trim();
  if (!licence) errors.licence = "Enter the licence number.";
  else if (licence.length > MAX_LICENCE_LENGTH) errors.licence = `The licence number must be at most ${MAX_LICENCE_LENGTH} characters.`;
  return errors;
}

export type RegisterDoctorProgress = { step: "salt" } | { step: "sign"; tx: TxStatus } | { step: "done" };

/**
 * Registers a doctor:
 * 0. refused at once when the address is already a doctor (its stored salt must stay);
 * 1. a fresh 32-byte salt, licenceHash = sha256(salt || licence number) (the licence never leaves the browser);
 * 2. the salt is stored with the app (PUT /api/admin/licence-salts/:address) BEFORE anything is signed, so a
 *    registered doctor's licence can always be verified later (a failed transaction leaves only an unused
 *    salt, replaced at the next attempt);
 * 3. registerDoctor in the wallet.
 * Errors: ApiClientError from step 2, ChainError (custom error names readable) from step 3.
 */
export async function registerDoctor(chain: BrowserChain, form: DoctorForm, onProgress: (progress: RegisterDoctorProgress) => void): Promise<string> {
  const parsed = parseAddressInput(form.address);
  if (!parsed.ok) throw new Error(parsed.message);
  const doctor = parsed.address;

  // 0. An address that is already a doctor keeps its salt: storing a new one would break its licence check.
  if (await isDoctor(chain, doctor)) {
    throw new ChainError("This address is already registered as a doctor (a deactivated doctor is reactivated, not registered again).", "failed", "DoctorContractAlreadyRegistered", {
      mayBeOnChain: false,
    });
  }

  // 1. Salt and hash, in the browser.
  const salt = newLicenceSalt();
  const hash = licenceHash(salt, form.licence);

  // 2. Keep the salt before signing.
  onProgress({ step: "salt" });
  await api.putLicenceSalt(doctor, salt);

  // 3. Register on chain.
  await registerOnChain(chain, { doctor, name: form.name.trim(), specialty: form.specialty.trim(), licenceHash: hash }, (tx) => onProgress({ step: "sign", tx }));
  onProgress({ step: "done" });
  return doctor;
}
