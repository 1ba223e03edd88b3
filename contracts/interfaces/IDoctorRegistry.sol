// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IDoctorRegistry
 * @notice The part of {DoctorContract} that {PatientContract} relies on: whether an address may act as a
 * doctor right now.
 */
interface IDoctorRegistry {
    /**
     * @notice Whether `account` is a registered doctor who is currently active.
     * @dev Reads a single storage slot, so that contracts checking it live on every read and write stay cheap.
     * @param account The address to check.
     * @return True when `account` is registered and not deactivated.
     */
    function isActiveDoctor(address account) external view returns (bool);
}
