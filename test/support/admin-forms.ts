import type { Page } from "playwright-core";

/** The admin dashboard's "Register a doctor" form filled in and sent, as an administrator does it. */
export async function submitDoctorRegistration(page: Page, doctor: { address: string; name: string; specialty: string; licence: string }): Promise<void> {
  const form = page.getByTestId("register-doctor");
  await form.getByLabel("Wallet address").fill(doctor.address);
  await form.getByLabel("Name").fill(doctor.name);
  await form.getByLabel("Specialty").fill(doctor.specialty);
  await form.getByLabel("Licence number").fill(doctor.licence);
  await form.getByRole("button", { name: "Register doctor" }).click();
}
