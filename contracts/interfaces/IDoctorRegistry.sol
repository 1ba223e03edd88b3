// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IDoctorRegistry
 * @notice The part of {DoctorContract} that {PatientContract} relies on: whether an address may act as a
 * doctor right now, and whether a doctor holds approved emergency access to a patient.
 */
interface IDoctorRegistry {
    /**
     * @notice Whether `account` is a registered doctor who is currently active.
     * @dev Reads a single storage slot, so that contracts checking it live on every read and write stay cheap.
     * @param account The address to check.
     * @return True when `account` is registered and not deactivated.
     */
    function isActiveDoctor(address account) external view returns (bool);

    /**
     * @notice Whether `doctor` may read `patient`'s records under emergency access now: their latest emergency
     * request for `patient` was approved, its window has not ended, the doctor is active, and the patient has not
     * renewed or cleared their emergency key since the request.
     * @dev {PatientContract} asks it only when no grant is live, so the granted path costs nothing more.
     * @param doctor The doctor.
     * @param patient The patient.
     * @return True when the emergency window is open for `doctor` on `patient`.
     */
    function hasEmergencyAccess(address doctor, address patient) external view returns (bool);
}
