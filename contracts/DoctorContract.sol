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
 *
 * Emergency access (break-glass), without trusting the server or a single administrator:
 * - Administrators publish an X25519 encryption key ({setAdminEncryptionKey}). A patient opts in with
 *   {setEmergencyKey}: the public half of an emergency key pair whose private half their browser split (Shamir)
 *   into one share per administrator with a key, and a threshold of at least {emergencyThreshold}.
 * - An active doctor asks with {requestEmergencyAccess} (a reason code; any note is sealed off chain, only its
 *   hash is here). Administrators other than the requester approve ({approveEmergencyAccess}) or refuse
 *   ({refuseEmergencyAccess}) while the request is younger than {emergencyWindow}. The approval that reaches the
 *   request's threshold opens a window of {emergencyWindow} seconds in which {hasEmergencyAccess} holds, which
 *   {PatientContract} honours for every record of the patient when no grant is live.
 * - The window ends early when the doctor is deactivated or the patient renews or clears the emergency key (the
 *   key version moves on); a request on an old key version can no longer be approved.
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

    /// @notice Where an emergency request stands. An expired request is still `Pending`: expiry is computed
    /// ({emergencyWindow} after `requestedAt`), never written.
    enum EmergencyRequestState {
        Pending,
        Approved,
        Refused
    }

    /**
     * @notice An emergency access request as {getEmergencyRequest} returns it. Two storage slots.
     * @param doctor The requesting doctor.
     * @param requestedAt Block time of the request.
     * @param reasonCode 1 patient unconscious or unable to consent, 2 life-threatening emergency, 3 urgent care
     * and the patient cannot be reached, 4 other.
     * @param state Pending, Approved or Refused.
     * @param approvals Administrators who approved so far.
     * @param threshold Approvals needed: the larger of {emergencyThreshold} and the patient's threshold, at
     * request time.
     * @param patient The patient.
     * @param keyVersion The version of the patient's emergency key the request was made against.
     * @param grantedUntil End of the access window once approved, 0 before.
     */
    struct EmergencyRequest {
        address doctor;
        uint64 requestedAt;
        uint8 reasonCode;
        EmergencyRequestState state;
        uint8 approvals;
        uint8 threshold;
        address patient;
        uint32 keyVersion;
        uint64 grantedUntil;
    }

    /// @dev The emergency settings and the request counter, one slot that {requestEmergencyAccess} reads and
    /// writes once.
    struct EmergencySettings {
        uint8 threshold;
        uint64 window;
        uint32 adminsWithKey;
        uint64 requestCount;
    }

    /// @dev A patient's emergency key: two slots. `threshold` is non-zero exactly while the patient is opted in,
    /// so the hot checks read only the second slot. `version` only grows (clearing moves it on too).
    struct EmergencyKey {
        bytes32 key;
        uint8 threshold;
        uint32 version;
    }

    /// @notice Longest name or specialty accepted, in bytes.
    uint256 public constant MAX_TEXT_LENGTH = 100;

    /// @notice The emergency window until an administrator sets one, in seconds (24 hours).
    uint64 public constant DEFAULT_EMERGENCY_WINDOW = 24 hours;

    // The bounds below are not public getters on purpose: every external function adds to the selector
    // dispatcher, and the set of getters is chosen so that {isActiveDoctor}, called on every grant and every
    // logged access, stays cheap to reach (see bench/gas/README.md). They are fixed: 1 h, 72 h, 4 reasons, 2, 2.
    uint64 private constant _MIN_EMERGENCY_WINDOW = 1 hours;
    uint64 private constant _MAX_EMERGENCY_WINDOW = 72 hours;
    uint8 private constant _MAX_EMERGENCY_REASON = 4;
    uint8 private constant _DEFAULT_EMERGENCY_THRESHOLD = 2;
    /// @dev Never fewer than two approvals: with one, a single administrator's share would be the whole
    /// emergency key, and that administrator plus the server's database could open every record in scope.
    uint8 private constant _MIN_EMERGENCY_THRESHOLD = 2;

    /// @dev 1-based position of each administrator in `_adminList`, 0 for a non-administrator: one slot answers
    /// "is an administrator" and finds the entry to remove.
    mapping(address account => uint256) private _adminPositions;
    address[] private _adminList;
    mapping(address admin => bytes32) private _adminKeys;

    EmergencySettings private _emergency;
    mapping(address patient => EmergencyKey) private _emergencyKeys;
    mapping(uint256 requestId => EmergencyRequest) private _emergencyRequests;
    mapping(uint256 requestId => mapping(address admin => bool)) private _emergencyApprovals;
    mapping(address doctor => mapping(address patient => uint256 requestId)) private _latestEmergencyRequest;

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

    /// @notice `threshold` is out of bounds: below 2 (or below {emergencyThreshold} for a patient), or above the
    /// `adminsWithKey` administrators who published an encryption key.
    error DoctorContractInvalidThreshold(uint8 threshold, uint256 adminsWithKey);

    /// @notice `window` is outside 3,600 .. 259,200 seconds (1 to 72 hours).
    error DoctorContractInvalidWindow(uint64 window);

    /// @notice `patient` has no emergency key: not opted in to emergency access.
    error DoctorContractEmergencyNotEnabled(address patient);

    /// @notice `account` is not an active doctor (never registered, or deactivated).
    error DoctorContractNotActiveDoctor(address account);

    /// @notice `code` is not an emergency reason code (1 to 4).
    error DoctorContractInvalidReason(uint8 code);

    /// @notice The caller already has open emergency request `requestId` for this patient (pending, or approved
    /// with a live window).
    error DoctorContractEmergencyRequestOpen(uint256 requestId);

    /// @notice Emergency request `requestId` does not exist.
    error DoctorContractEmergencyRequestNotFound(uint256 requestId);

    /// @notice Emergency request `requestId` is no longer pending (approved or refused).
    error DoctorContractEmergencyRequestClosed(uint256 requestId);

    /// @notice Emergency request `requestId` is older than {emergencyWindow}.
    error DoctorContractEmergencyRequestExpired(uint256 requestId);

    /// @notice Administrator `admin` has not published an encryption key, so holds no share to release.
    error DoctorContractAdminKeyMissing(address admin);

    /// @notice Administrator `admin` made emergency request `requestId` and may not decide on it.
    error DoctorContractOwnRequest(uint256 requestId, address admin);

    /// @notice Administrator `admin` already approved emergency request `requestId`.
    error DoctorContractAlreadyApproved(uint256 requestId, address admin);

    /// @notice The patient renewed or cleared their emergency key since emergency request `requestId`.
    error DoctorContractEmergencyKeyChanged(uint256 requestId);

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

    /// @notice Administrator `admin` published (or rotated) their encryption public key `key`. {AdminRemoved}
    /// forgets it.
    event AdminEncryptionKeySet(address indexed admin, bytes32 key);

    /// @notice `admin` set the emergency threshold to `threshold` approvals.
    event EmergencyThresholdSet(uint8 threshold, address indexed admin);

    /// @notice `admin` set the emergency window to `window` seconds.
    event EmergencyWindowSet(uint64 window, address indexed admin);

    /// @notice `patient` opted in to emergency access, or renewed their emergency key: public key `key`, at least
    /// `threshold` approvals, key version `version`.
    event EmergencyKeySet(address indexed patient, bytes32 key, uint8 threshold, uint32 version);

    /// @notice `patient` opted out of emergency access; any emergency window on their records ends.
    event EmergencyKeyCleared(address indexed patient);

    /// @notice `doctor` asked for emergency access to `patient` with `reasonCode`; `noteHash` is the sha256 of
    /// the sealed note kept off chain, 0 for none.
    event EmergencyAccessRequested(
        uint256 indexed requestId,
        address indexed doctor,
        address indexed patient,
        uint8 reasonCode,
        bytes32 noteHash
    );

    /// @notice `admin` approved emergency request `requestId`, which now has `approvals` approvals.
    event EmergencyAccessApproved(uint256 indexed requestId, address indexed admin, uint8 approvals);

    /// @notice Emergency request `requestId` reached its threshold: `doctor` may read `patient`'s records until
    /// `grantedUntil`.
    event EmergencyAccessGranted(
        uint256 indexed requestId,
        address indexed doctor,
        address indexed patient,
        uint64 grantedUntil
    );

    /// @notice `admin` refused emergency request `requestId`.
    event EmergencyAccessRefused(uint256 indexed requestId, address indexed admin);

    // ---------------------------------------------------------------------------------------------------------
    // Modifiers
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Reverts with {DoctorContractUnauthorized} unless the caller is an administrator.
    modifier onlyAdmin() {
        _checkAdmin(msg.sender);
        _;
    }

    /**
     * @notice Makes the deployer the first administrator; the emergency threshold starts at 2 approvals and the
     * emergency window at 24 hours.
     * @dev Emits {AdminAdded} with the deployer as both account and admin.
     */
    constructor() {
        _addAdmin(msg.sender);
        _emergency.threshold = _DEFAULT_EMERGENCY_THRESHOLD;
        _emergency.window = DEFAULT_EMERGENCY_WINDOW;
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
        if (_adminPositions[account] != 0) revert DoctorContractAlreadyAdmin(account);
        _addAdmin(account);
    }

    /**
     * @notice Removes `account` from the administrators. An administrator may remove themself. Their encryption
     * key is forgotten ({adminsWithKeyCount} goes down); approvals they already gave stay counted.
     * @dev Requirements:
     * - the caller is an administrator ({DoctorContractUnauthorized});
     * - `account` is an administrator ({DoctorContractNotAdmin});
     * - `account` is not the last administrator ({DoctorContractLastAdmin}).
     *
     * Emits {AdminRemoved}.
     * @param account The administrator to remove.
     */
    function removeAdmin(address account) external onlyAdmin {
        uint256 position = _adminPositions[account];
        if (position == 0) revert DoctorContractNotAdmin(account);
        uint256 count = _adminList.length;
        if (count == 1) revert DoctorContractLastAdmin(account);
        // Swap and pop: the last administrator takes the removed one's place.
        if (position != count) {
            address last = _adminList[count - 1];
            _adminList[position - 1] = last;
            _adminPositions[last] = position;
        }
        _adminList.pop();
        delete _adminPositions[account];
        if (_adminKeys[account] != bytes32(0)) {
            delete _adminKeys[account];
            _emergency.adminsWithKey -= 1;
        }
        emit AdminRemoved(account, msg.sender);
    }

    /**
     * @notice Whether `account` is an administrator.
     * @param account The address to check.
     * @return True when `account` is an administrator.
     */
    function isAdmin(address account) external view returns (bool) {
        return _adminPositions[account] != 0;
    }

    /**
     * @notice The number of administrators (never zero).
     * @return The number of administrators.
     */
    function adminCount() external view returns (uint256) {
        return _adminList.length;
    }

    /**
     * @notice Every administrator, in no particular order (removing one moves the last into its place).
     * @return The administrators' addresses.
     */
    function getAdmins() external view returns (address[] memory) {
        return _adminList;
    }

    /**
     * @notice Publishes the caller's X25519 encryption public key as an administrator; call again to rotate it.
     * Patients' browsers seal one emergency key share for each administrator with a key, after checking the key
     * the server hands them against this one.
     * @dev Requirements:
     * - the caller is an administrator ({DoctorContractUnauthorized});
     * - `key` is not zero ({DoctorContractInvalidEncryptionKey}).
     *
     * Emits {AdminEncryptionKeySet}.
     * @param key The 32-byte X25519 public key.
     */
    function setAdminEncryptionKey(bytes32 key) external onlyAdmin {
        if (key == bytes32(0)) revert DoctorContractInvalidEncryptionKey();
        if (_adminKeys[msg.sender] == bytes32(0)) _emergency.adminsWithKey += 1;
        _adminKeys[msg.sender] = key;
        emit AdminEncryptionKeySet(msg.sender, key);
    }

    /**
     * @notice The encryption public key of administrator `admin`, zero if none (or not an administrator).
     * @param admin The administrator.
     * @return The 32-byte X25519 public key, or zero.
     */
    function adminEncryptionKeyOf(address admin) external view returns (bytes32) {
        return _adminKeys[admin];
    }

    /**
     * @notice The number of administrators who published an encryption key: the most approvals a threshold
     * may ask for.
     * @return The number of administrators with a key.
     */
    function adminsWithKeyCount() external view returns (uint256) {
        return _emergency.adminsWithKey;
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
        Doctor storage entry = _doctors[doctor];
        if (entry.registeredAt != 0) revert DoctorContractAlreadyRegistered(doctor);
        // `length == 0 || length > MAX_TEXT_LENGTH` in one comparison: 0 - 1 wraps to the largest uint256.
        unchecked {
            if (bytes(name).length - 1 >= MAX_TEXT_LENGTH) revert DoctorContractInvalidName(name);
            if (bytes(specialty).length - 1 >= MAX_TEXT_LENGTH) revert DoctorContractInvalidSpecialty(specialty);
        }
        if (licenceHash == bytes32(0)) revert DoctorContractInvalidLicenceHash();

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
        Doctor storage entry = _doctors[msg.sender];
        if (entry.registeredAt == 0) revert DoctorContractNotRegistered(msg.sender);
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
    // Emergency access: settings
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Sets how many administrators must approve an emergency request (at least; a patient may ask for
     * more). Requests already made keep the threshold they were made with.
     * @dev Requirements:
     * - the caller is an administrator ({DoctorContractUnauthorized});
     * - `threshold` is at least 2 and at most {adminsWithKeyCount} ({DoctorContractInvalidThreshold}): one
     *   approval would let a single administrator open the emergency key alone.
     *
     * Emits {EmergencyThresholdSet}.
     * @param threshold Approvals needed.
     */
    function setEmergencyThreshold(uint8 threshold) external onlyAdmin {
        uint32 adminsWithKey = _emergency.adminsWithKey;
        if (threshold < _MIN_EMERGENCY_THRESHOLD || threshold > adminsWithKey) revert DoctorContractInvalidThreshold(threshold, adminsWithKey);
        _emergency.threshold = threshold;
        emit EmergencyThresholdSet(threshold, msg.sender);
    }

    /**
     * @notice Sets the emergency window: how long a request may wait for approvals, and how long an approved
     * doctor may read. Windows already opened keep their end.
     * @dev Requirements:
     * - the caller is an administrator ({DoctorContractUnauthorized});
     * - `window` is 3,600 to 259,200 seconds (1 to 72 hours) ({DoctorContractInvalidWindow}).
     *
     * Emits {EmergencyWindowSet}.
     * @param window The window in seconds.
     */
    function setEmergencyWindow(uint64 window) external onlyAdmin {
        if (window < _MIN_EMERGENCY_WINDOW || window > _MAX_EMERGENCY_WINDOW) revert DoctorContractInvalidWindow(window);
        _emergency.window = window;
        emit EmergencyWindowSet(window, msg.sender);
    }

    /**
     * @notice The fewest approvals an emergency request needs (2 until an administrator sets it).
     * @return The threshold.
     */
    function emergencyThreshold() external view returns (uint8) {
        return _emergency.threshold;
    }

    /**
     * @notice How long, in seconds, a request may wait for approvals and an approved doctor may read (24 hours
     * until an administrator sets it).
     * @return The window in seconds.
     */
    function emergencyWindow() external view returns (uint64) {
        return _emergency.window;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Emergency access: patients
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Opts the caller in to emergency access, or renews their emergency key: `key` is the public half of
     * the emergency key pair whose private half was split among the administrators with a key. A renewal moves
     * the key version on: open requests made on the old version can no longer be approved, and a window opened
     * on it ends. Any address may call; only registered patients have records to read.
     * @dev Requirements:
     * - `key` is not zero ({DoctorContractInvalidEncryptionKey});
     * - `threshold` is at least {emergencyThreshold} and at most {adminsWithKeyCount}
     *   ({DoctorContractInvalidThreshold}).
     *
     * Emits {EmergencyKeySet}.
     * @param key The 32-byte X25519 emergency public key.
     * @param threshold Approvals the patient asks for.
     */
    function setEmergencyKey(bytes32 key, uint8 threshold) external {
        if (key == bytes32(0)) revert DoctorContractInvalidEncryptionKey();
        EmergencySettings memory settings = _emergency;
        if (threshold < settings.threshold || threshold > settings.adminsWithKey) {
            revert DoctorContractInvalidThreshold(threshold, settings.adminsWithKey);
        }
        EmergencyKey storage entry = _emergencyKeys[msg.sender];
        uint32 version = entry.version + 1;
        entry.key = key;
        entry.threshold = threshold;
        entry.version = version;
        emit EmergencyKeySet(msg.sender, key, threshold, version);
    }

    /**
     * @notice Opts the caller out of emergency access: the key is forgotten, the version moves on, so no open
     * request can be approved and any emergency window on the caller's records ends.
     * @dev Requirements: the caller has an emergency key ({DoctorContractEmergencyNotEnabled}).
     *
     * Emits {EmergencyKeyCleared}.
     */
    function clearEmergencyKey() external {
        EmergencyKey storage entry = _emergencyKeys[msg.sender];
        if (entry.threshold == 0) revert DoctorContractEmergencyNotEnabled(msg.sender);
        delete entry.key;
        entry.threshold = 0;
        entry.version += 1;
        emit EmergencyKeyCleared(msg.sender);
    }

    /**
     * @notice The emergency key of `patient`.
     * @param patient The patient.
     * @return key The 32-byte X25519 emergency public key, zero if not opted in.
     * @return threshold Approvals the patient asked for, zero if not opted in.
     * @return version The key's version: 0 before the first opt-in, then moved on by every opt-in, renewal and
     * opt-out, and kept after an opt-out so that the next opt-in's version is known in advance.
     */
    function emergencyKeyOf(address patient) external view returns (bytes32 key, uint8 threshold, uint32 version) {
        EmergencyKey memory entry = _emergencyKeys[patient];
        if (entry.threshold == 0) return (bytes32(0), 0, entry.version);
        return (entry.key, entry.threshold, entry.version);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Emergency access: requests
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Asks for emergency access to `patient`'s records. Administrators other than the caller approve or
     * refuse it within {emergencyWindow}.
     * @dev Requirements:
     * - the caller is an active doctor ({DoctorContractNotActiveDoctor});
     * - `patient` opted in ({DoctorContractEmergencyNotEnabled});
     * - `reasonCode` is 1 to 4 ({DoctorContractInvalidReason});
     * - the caller has no open request for `patient`: pending and not expired, or approved with a live window,
     *   on the patient's current key version ({DoctorContractEmergencyRequestOpen}).
     *
     * Emits {EmergencyAccessRequested}.
     * @param patient The patient.
     * @param reasonCode The reason: 1 patient unconscious or unable to consent, 2 life-threatening emergency,
     * 3 urgent care and the patient cannot be reached, 4 other.
     * @param noteHash The sha256 of the sealed note stored off chain, 0 for none.
     * @return requestId The new request's id (ids start at 1).
     */
    function requestEmergencyAccess(
        address patient,
        uint8 reasonCode,
        bytes32 noteHash
    ) external returns (uint256 requestId) {
        if (!_doctors[msg.sender].active) revert DoctorContractNotActiveDoctor(msg.sender);
        EmergencyKey storage patientKey = _emergencyKeys[patient];
        (uint8 patientThreshold, uint32 keyVersion) = (patientKey.threshold, patientKey.version);
        if (patientThreshold == 0) revert DoctorContractEmergencyNotEnabled(patient);
        if (reasonCode == 0 || reasonCode > _MAX_EMERGENCY_REASON) revert DoctorContractInvalidReason(reasonCode);
        EmergencySettings memory settings = _emergency;
        uint256 latest = _latestEmergencyRequest[msg.sender][patient];
        if (latest != 0 && _isOpen(_emergencyRequests[latest], keyVersion, settings.window)) {
            revert DoctorContractEmergencyRequestOpen(latest);
        }

        requestId = settings.requestCount + 1;
        _emergency.requestCount = uint64(requestId);
        _emergencyRequests[requestId] = EmergencyRequest({
            doctor: msg.sender,
            requestedAt: uint64(block.timestamp),
            reasonCode: reasonCode,
            state: EmergencyRequestState.Pending,
            approvals: 0,
            threshold: patientThreshold > settings.threshold ? patientThreshold : settings.threshold,
            patient: patient,
            keyVersion: keyVersion,
            grantedUntil: 0
        });
        _latestEmergencyRequest[msg.sender][patient] = requestId;
        emit EmergencyAccessRequested(requestId, msg.sender, patient, reasonCode, noteHash);
    }

    /**
     * @notice Approves emergency request `requestId`. The caller's browser has stored their key share, re-sealed
     * for the requesting doctor, before this call. The approval that reaches the request's threshold opens the
     * doctor's window: {hasEmergencyAccess} holds until now + {emergencyWindow}.
     * @dev Requirements, checked in this order:
     * - the caller is an administrator ({DoctorContractUnauthorized});
     * - the request exists ({DoctorContractEmergencyRequestNotFound}), is pending
     *   ({DoctorContractEmergencyRequestClosed}) and is not older than {emergencyWindow}
     *   ({DoctorContractEmergencyRequestExpired});
     * - the caller published an encryption key ({DoctorContractAdminKeyMissing});
     * - the caller is not the requester ({DoctorContractOwnRequest}) and has not approved it yet
     *   ({DoctorContractAlreadyApproved});
     * - the requester is still an active doctor ({DoctorContractNotActiveDoctor});
     * - the patient's emergency key version is the request's ({DoctorContractEmergencyKeyChanged}).
     *
     * Emits {EmergencyAccessApproved}, and {EmergencyAccessGranted} when the threshold is reached.
     * @param requestId The request.
     */
    function approveEmergencyAccess(uint256 requestId) external onlyAdmin {
        EmergencyRequest storage request = _requirePendingRequest(requestId);
        if (_adminKeys[msg.sender] == bytes32(0)) revert DoctorContractAdminKeyMissing(msg.sender);
        address doctor = request.doctor;
        if (doctor == msg.sender) revert DoctorContractOwnRequest(requestId, msg.sender);
        if (_emergencyApprovals[requestId][msg.sender]) revert DoctorContractAlreadyApproved(requestId, msg.sender);
        if (!_doctors[doctor].active) revert DoctorContractNotActiveDoctor(doctor);
        address patient = request.patient;
        if (_emergencyKeys[patient].version != request.keyVersion) revert DoctorContractEmergencyKeyChanged(requestId);

        _emergencyApprovals[requestId][msg.sender] = true;
        uint8 approvals = request.approvals + 1;
        request.approvals = approvals;
        emit EmergencyAccessApproved(requestId, msg.sender, approvals);
        if (approvals >= request.threshold) {
            uint64 grantedUntil = uint64(block.timestamp) + _emergency.window;
            request.state = EmergencyRequestState.Approved;
            request.grantedUntil = grantedUntil;
            emit EmergencyAccessGranted(requestId, doctor, patient, grantedUntil);
        }
    }

    /**
     * @notice Refuses emergency request `requestId`: it is closed for good; the doctor may ask again.
     * @dev Requirements, checked in this order:
     * - the caller is an administrator ({DoctorContractUnauthorized});
     * - the request exists ({DoctorContractEmergencyRequestNotFound}), is pending
     *   ({DoctorContractEmergencyRequestClosed}) and is not older than {emergencyWindow}
     *   ({DoctorContractEmergencyRequestExpired});
     * - the caller is not the requester ({DoctorContractOwnRequest}).
     *
     * Emits {EmergencyAccessRefused}.
     * @param requestId The request.
     */
    function refuseEmergencyAccess(uint256 requestId) external onlyAdmin {
        EmergencyRequest storage request = _requirePendingRequest(requestId);
        if (request.doctor == msg.sender) revert DoctorContractOwnRequest(requestId, msg.sender);
        request.state = EmergencyRequestState.Refused;
        emit EmergencyAccessRefused(requestId, msg.sender);
    }

    /**
     * @notice The number of emergency requests ever made; ids run from 1 to this number.
     * @return The number of requests.
     */
    function emergencyRequestCount() external view returns (uint256) {
        return _emergency.requestCount;
    }

    /**
     * @notice One emergency request.
     * @dev Requirements: the request exists ({DoctorContractEmergencyRequestNotFound}).
     * @param requestId The request.
     * @return The request.
     */
    function getEmergencyRequest(uint256 requestId) external view returns (EmergencyRequest memory) {
        return _requireRequest(requestId);
    }

    /**
     * @notice Whether `admin` approved emergency request `requestId` (false for an unknown request).
     * @param requestId The request.
     * @param admin The administrator.
     * @return True when `admin` approved it.
     */
    function hasApprovedEmergency(uint256 requestId, address admin) external view returns (bool) {
        return _emergencyApprovals[requestId][admin];
    }

    /**
     * @notice The latest emergency request of `doctor` for `patient` and the end of its window.
     * @param doctor The doctor.
     * @param patient The patient.
     * @return requestId The latest request's id, 0 if none.
     * @return grantedUntil The end of its window, 0 unless approved (it may be in the past, or ended early: see
     * {hasEmergencyAccess}).
     */
    function emergencyAccessOf(
        address doctor,
        address patient
    ) external view returns (uint256 requestId, uint64 grantedUntil) {
        requestId = _latestEmergencyRequest[doctor][patient];
        if (requestId != 0) grantedUntil = _emergencyRequests[requestId].grantedUntil;
    }

    /// @inheritdoc IDoctorRegistry
    function hasEmergencyAccess(address doctor, address patient) external view returns (bool) {
        uint256 requestId = _latestEmergencyRequest[doctor][patient];
        if (requestId == 0) return false;
        EmergencyRequest storage request = _emergencyRequests[requestId];
        return
            request.state == EmergencyRequestState.Approved &&
            block.timestamp < request.grantedUntil &&
            _doctors[doctor].active &&
            _emergencyKeys[patient].version == request.keyVersion;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Reverts with {DoctorContractUnauthorized} unless `account` is an administrator.
    function _checkAdmin(address account) internal view {
        if (_adminPositions[account] == 0) revert DoctorContractUnauthorized(account);
    }

    /// @dev Makes `account` an administrator without checks. Emits {AdminAdded}.
    function _addAdmin(address account) internal {
        _adminList.push(account);
        _adminPositions[account] = _adminList.length;
        emit AdminAdded(account, msg.sender);
    }

    /// @dev The storage entry of `doctor`; reverts with {DoctorContractNotRegistered} if there is none.
    function _requireDoctor(address doctor) internal view returns (Doctor storage entry) {
        entry = _doctors[doctor];
        if (entry.registeredAt == 0) revert DoctorContractNotRegistered(doctor);
    }

    /// @dev Emergency request `requestId`; reverts with {DoctorContractEmergencyRequestNotFound} if there is none.
    function _requireRequest(uint256 requestId) internal view returns (EmergencyRequest storage request) {
        request = _emergencyRequests[requestId];
        if (request.doctor == address(0)) revert DoctorContractEmergencyRequestNotFound(requestId);
    }

    /// @dev Emergency request `requestId`, which must exist, be pending and not be older than the window
    /// ({DoctorContractEmergencyRequestNotFound}, {DoctorContractEmergencyRequestClosed},
    /// {DoctorContractEmergencyRequestExpired}).
    function _requirePendingRequest(uint256 requestId) internal view returns (EmergencyRequest storage request) {
        request = _requireRequest(requestId);
        if (request.state != EmergencyRequestState.Pending) revert DoctorContractEmergencyRequestClosed(requestId);
        if (block.timestamp >= uint256(request.requestedAt) + _emergency.window) {
            revert DoctorContractEmergencyRequestExpired(requestId);
        }
    }

    /// @dev Whether `request` still blocks a new one: made on key version `keyVersion`, and pending younger than
    /// `window` or approved with a live window.
    function _isOpen(EmergencyRequest storage request, uint32 keyVersion, uint64 window) internal view returns (bool) {
        if (request.keyVersion != keyVersion) return false;
        EmergencyRequestState state = request.state;
        if (state == EmergencyRequestState.Pending) return block.timestamp < uint256(request.requestedAt) + window;
        return state == EmergencyRequestState.Approved && block.timestamp < request.grantedUntil;
    }
}
