// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDoctorRegistry} from "./interfaces/IDoctorRegistry.sol";

/**
 * @title DoctorContract
 * @notice The registry of who may act as a doctor. Administrators register, deactivate and reactivate doctors;
 * a registered doctor publishes their X25519 encryption public key so that patients' browsers can check the key
 * the server hands them.
 *
 * Trust rules:
 * - The deployer is the first administrator. An administrator can add and remove administrators; the last one
 *   can never be removed.
 * - A deactivated doctor loses every read and write right at once: {PatientContract} asks {isActiveDoctor} live
 *   on every grant, record read, access log and doctor-written record, so no patient has to revoke anything.
 *   Reactivating a doctor restores the grants that patients have not revoked and that have not expired.
 * - Doctors are never deleted: the list only grows, and {getDoctors} pages through it.
 */
contract DoctorContract is IDoctorRegistry {
    /**
     * @notice A doctor as the admin dashboard and the patient's doctor picker see it.
     * @param name Display name, 1 to {MAX_TEXT_LENGTH} bytes of UTF-8.
     * @param specialty Specialty, 1 to {MAX_TEXT_LENGTH} bytes of UTF-8.
     * @param licenceHash The licence number or its hash (non-zero).
     * @param encryptionKey The doctor's X25519 public key, zero until the doctor publishes one.
     * @param active Whether the doctor may act as a doctor now.
     * @param registeredAt Block time of registration (non-zero for every registered doctor).
     */
    struct Doctor {
        string name;
        string specialty;
        bytes32 licenceHash;
        bytes32 encryptionKey;
        // `active` and `registeredAt` share one slot, the only slot {isActiveDoctor} reads.
        bool active;
        uint64 registeredAt;
    }

    /// @notice Longest name or specialty accepted, in bytes.
    uint256 public constant MAX_TEXT_LENGTH = 100;

    mapping(address account => bool) private _admins;
    uint256 private _adminCount;

    mapping(address account => Doctor) private _doctors;
    address[] private _doctorAccounts;

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice `account` is not an administrator and called an administrator-only function.
    error DoctorContractUnauthorized(address account);

    /// @notice The zero address was given where an account is required.
    error DoctorContractZeroAddress();

    /// @notice `account` is already an administrator.
    error DoctorContractAlreadyAdmin(address account);

    /// @notice `account` is not an administrator.
    error DoctorContractNotAdmin(address account);

    /// @notice `account` is the last administrator and cannot be removed.
    error DoctorContractLastAdmin(address account);

    /// @notice `doctor` is already registered.
    error DoctorContractAlreadyRegistered(address doctor);

    /// @notice `doctor` is not registered.
    error DoctorContractNotRegistered(address doctor);

    /// @notice `doctor` is already active.
    error DoctorContractAlreadyActive(address doctor);

    /// @notice `doctor` is already inactive.
    error DoctorContractAlreadyInactive(address doctor);

    /// @notice `name` is empty or longer than {MAX_TEXT_LENGTH} bytes.
    error DoctorContractInvalidName(string name);

    /// @notice `specialty` is empty or longer than {MAX_TEXT_LENGTH} bytes.
    error DoctorContractInvalidSpecialty(string specialty);

    /// @notice The licence hash is zero.
    error DoctorContractInvalidLicenceHash();

    /// @notice The encryption public key is zero.
    error DoctorContractInvalidEncryptionKey();

    /// @notice A page was requested at `offset`, past the end of a list of `count` items.
    error DoctorContractPageOutOfRange(uint256 offset, uint256 count);

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice `account` became an administrator, added by `admin` (the deployer adds itself at deployment).
    event AdminAdded(address indexed account, address indexed admin);

    /// @notice `account` stopped being an administrator, removed by `admin`.
    event AdminRemoved(address indexed account, address indexed admin);

    /// @notice `admin` registered `doctor`, who is active from now on.
    event DoctorRegistered(
        address indexed doctor,
        address indexed admin,
        string name,
        string specialty,
        bytes32 licenceHash
    );

    /// @notice `admin` deactivated `doctor`: every right of the doctor ends now.
    event DoctorDeactivated(address indexed doctor, address indexed admin);

    /// @notice `admin` reactivated `doctor`.
    event DoctorReactivated(address indexed doctor, address indexed admin);

    /// @notice `doctor` published (or rotated) their encryption public key.
    event DoctorEncryptionKeySet(address indexed doctor, bytes32 encryptionKey);

    // ---------------------------------------------------------------------------------------------------------
    // Modifiers
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Reverts with {DoctorContractUnauthorized} unless the caller is an administrator.
    modifier onlyAdmin() {
        _checkAdmin(msg.sender);
        _;
    }

    /**
     * @notice Makes the deployer the first administrator.
     * @dev Emits {AdminAdded} with the deployer as both account and admin.
     */
    constructor() {
        _addAdmin(msg.sender);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Administrators
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Makes `account` an administrator.
     * @dev Requirements:
     * - the caller is an administrator ({DoctorContractUnauthorized});
     * - `account` is not the zero address ({DoctorContractZeroAddress});
     * - `account` is not an administrator yet ({DoctorContractAlreadyAdmin}).
     *
     * Emits {AdminAdded}.
     * @param account The new administrator.
     */
    function addAdmin(address account) external onlyAdmin {
        if (account == address(0)) revert DoctorContractZeroAddress();
        if (_admins[account]) revert DoctorContractAlreadyAdmin(account);
        _addAdmin(account);
    }

    /**
     * @notice Removes `account` from the administrators. An administrator may remove themself.
     * @dev Requirements:
     * - the caller is an administrator ({DoctorContractUnauthorized});
     * - `account` is an administrator ({DoctorContractNotAdmin});
     * - `account` is not the last administrator ({DoctorContractLastAdmin}).
     *
     * Emits {AdminRemoved}.
     * @param account The administrator to remove.
     */
    function removeAdmin(address account) external onlyAdmin {
        if (!_admins[account]) revert DoctorContractNotAdmin(account);
        if (_adminCount == 1) revert DoctorContractLastAdmin(account);
        _admins[account] = false;
        _adminCount -= 1;
        emit AdminRemoved(account, msg.sender);
    }

    /**
     * @notice Whether `account` is an administrator.
     * @param account The address to check.
     * @return True when `account` is an administrator.
     */
    function isAdmin(address account) external view returns (bool) {
        return _admins[account];
    }

    /**
     * @notice The number of administrators (never zero).
     * @return The number of administrators.
     */
    function adminCount() external view returns (uint256) {
        return _adminCount;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Doctors: administration
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Registers `doctor`, active from now on. The doctor then publishes their key with {setEncryptionKey}.
     * @dev Requirements:
     * - the caller is an administrator ({DoctorContractUnauthorized});
     * - `doctor` is not the zero address ({DoctorContractZeroAddress}) and not registered yet
     *   ({DoctorContractAlreadyRegistered}); a deactivated doctor is reactivated, not registered again;
     * - `name` and `specialty` are 1 to {MAX_TEXT_LENGTH} bytes ({DoctorContractInvalidName},
     *   {DoctorContractInvalidSpecialty});
     * - `licenceHash` is not zero ({DoctorContractInvalidLicenceHash}).
     *
     * Emits {DoctorRegistered}.
     * @param doctor The doctor's wallet address.
     * @param name Display name.
     * @param specialty Specialty.
     * @param licenceHash The licence number or its hash.
     */
    function registerDoctor(
        address doctor,
        string calldata name,
        string calldata specialty,
        bytes32 licenceHash
    ) external onlyAdmin {
        if (doctor == address(0)) revert DoctorContractZeroAddress();
        if (_doctors[doctor].registeredAt != 0) revert DoctorContractAlreadyRegistered(doctor);
        if (bytes(name).length == 0 || bytes(name).length > MAX_TEXT_LENGTH) revert DoctorContractInvalidName(name);
        if (bytes(specialty).length == 0 || bytes(specialty).length > MAX_TEXT_LENGTH) {
            revert DoctorContractInvalidSpecialty(specialty);
        }
        if (licenceHash == bytes32(0)) revert DoctorContractInvalidLicenceHash();

        Doctor storage entry = _doctors[doctor];
        entry.name = name;
        entry.specialty = specialty;
        entry.licenceHash = licenceHash;
        entry.active = true;
        entry.registeredAt = uint64(block.timestamp);
        _doctorAccounts.push(doctor);

        emit DoctorRegistered(doctor, msg.sender, name, specialty, licenceHash);
    }

    /**
     * @notice Deactivates `doctor`: from this block on, the doctor can no longer read, log access to, or add
     * any record, and no patient can grant them access. Patients' grants are kept, not revoked.
     * @dev Requirements:
     * - the caller is an administrator ({DoctorContractUnauthorized});
     * - `doctor` is registered ({DoctorContractNotRegistered}) and active ({DoctorContractAlreadyInactive}).
     *
     * Emits {DoctorDeactivated}.
     * @param doctor The doctor to deactivate.
     */
    function deactivateDoctor(address doctor) external onlyAdmin {
        Doctor storage entry = _requireDoctor(doctor);
        if (!entry.active) revert DoctorContractAlreadyInactive(doctor);
        entry.active = false;
        emit DoctorDeactivated(doctor, msg.sender);
    }

    /**
     * @notice Reactivates `doctor`. Grants that their patients have neither revoked nor let expire apply again;
     * to end a doctor's rights for good, leave them deactivated (and register their new wallet if they have one).
     * @dev Requirements:
     * - the caller is an administrator ({DoctorContractUnauthorized});
     * - `doctor` is registered ({DoctorContractNotRegistered}) and inactive ({DoctorContractAlreadyActive}).
     *
     * Emits {DoctorReactivated}.
     * @param doctor The doctor to reactivate.
     */
    function reactivateDoctor(address doctor) external onlyAdmin {
        Doctor storage entry = _requireDoctor(doctor);
        if (entry.active) revert DoctorContractAlreadyActive(doctor);
        entry.active = true;
        emit DoctorReactivated(doctor, msg.sender);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Doctors: self-service
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Publishes the caller's X25519 encryption public key; call again to rotate it. Patients' browsers
     * compare the key the server hands them with this one before wrapping a record key for the doctor.
     * A deactivated doctor may still rotate their key (e.g. after losing a device).
     * @dev Requirements:
     * - the caller is a registered doctor ({DoctorContractNotRegistered});
     * - `encryptionKey` is not zero ({DoctorContractInvalidEncryptionKey}).
     *
     * Emits {DoctorEncryptionKeySet}.
     * @param encryptionKey The 32-byte X25519 public key.
     */
    function setEncryptionKey(bytes32 encryptionKey) external {
        Doctor storage entry = _requireDoctor(msg.sender);
        if (encryptionKey == bytes32(0)) revert DoctorContractInvalidEncryptionKey();
        entry.encryptionKey = encryptionKey;
        emit DoctorEncryptionKeySet(msg.sender, encryptionKey);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDoctorRegistry
    function isActiveDoctor(address account) external view returns (bool) {
        return _doctors[account].active;
    }

    /**
     * @notice Whether `account` is a registered doctor, active or not.
     * @param account The address to check.
     * @return True when `account` has been registered.
     */
    function isDoctor(address account) external view returns (bool) {
        return _doctors[account].registeredAt != 0;
    }

    /**
     * @notice One doctor's details.
     * @dev Requirements: `doctor` is registered ({DoctorContractNotRegistered}).
     * @param doctor The doctor's address.
     * @return The doctor's details.
     */
    function getDoctor(address doctor) external view returns (Doctor memory) {
        return _requireDoctor(doctor);
    }

    /**
     * @notice The number of registered doctors, active or not.
     * @return The number of doctors.
     */
    function doctorCount() external view returns (uint256) {
        return _doctorAccounts.length;
    }

    /**
     * @notice A page of doctors in registration order.
     * @dev `offset == doctorCount()` returns an empty page; `limit` is clamped to the doctors left.
     *
     * Requirements: `offset <= doctorCount()` ({DoctorContractPageOutOfRange}).
     * @param offset Position of the first doctor of the page.
     * @param limit Most doctors to return.
     * @return accounts The doctors' addresses.
     * @return doctors The doctors' details, in the same order.
     */
    function getDoctors(
        uint256 offset,
        uint256 limit
    ) external view returns (address[] memory accounts, Doctor[] memory doctors) {
        uint256 count = _doctorAccounts.length;
        if (offset > count) revert DoctorContractPageOutOfRange(offset, count);
        uint256 size = count - offset;
        if (limit < size) size = limit;

        accounts = new address[](size);
        doctors = new Doctor[](size);
        for (uint256 i = 0; i < size; ++i) {
            address account = _doctorAccounts[offset + i];
            accounts[i] = account;
            doctors[i] = _doctors[account];
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Reverts with {DoctorContractUnauthorized} unless `account` is an administrator.
    function _checkAdmin(address account) internal view {
        if (!_admins[account]) revert DoctorContractUnauthorized(account);
    }

    /// @dev Makes `account` an administrator without checks. Emits {AdminAdded}.
    function _addAdmin(address account) internal {
        _admins[account] = true;
        _adminCount += 1;
        emit AdminAdded(account, msg.sender);
    }

    /// @dev The storage entry of `doctor`; reverts with {DoctorContractNotRegistered} if there is none.
    function _requireDoctor(address doctor) internal view returns (Doctor storage entry) {
        entry = _doctors[doctor];
        if (entry.registeredAt == 0) revert DoctorContractNotRegistered(doctor);
    }
}
