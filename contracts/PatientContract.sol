// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDoctorRegistry} from "./interfaces/IDoctorRegistry.sol";

/**
 * @title PatientContract
 * @notice Patients, their records, the grants they give doctors, and the access log.
 *
 * Records
 * - A record is the CID of an encrypted file on IPFS, stored compactly: the 32-byte sha2-256 digest plus its
 *   codec (raw 0x55 or dag-pb 0x70), which is all a CIDv1 needs. The codec costs no storage of its own: the digest
 *   is written to one of two mappings, one per codec.
 * - `recordId = (uint256(uint160(patient)) << 96) | index`, index being the 0-based position in the patient's
 *   records, so the patient of a record is known without storage ({recordIdOf}, {patientOf}).
 * - Records are append-only. {amendRecord} adds a new record and marks the old one as superseded by it; nothing
 *   is ever edited or deleted.
 * - The author is stored only when it is not the patient. The block time of a record is not stored: it is the
 *   `time` of its {RecordAdded} event. Both keep adding a record to one new storage slot.
 *
 * Grants
 * - A patient grants a doctor chosen records ({grantAccess}, or {grantRecordAccess} for one record) or all
 *   records, including future ones ({grantAllAccess}), each with an optional expiry (0 = none). A grant is
 *   readable while `block.timestamp < expiresAt`.
 * - {revokeAccess} revokes chosen records, including records covered only by the all-records grant (the record is
 *   then excluded from it). {revokeAllAccess} ends every grant to a doctor in O(1): it moves the patient's grant
 *   epoch on and records, for that doctor only, that per-record grants from earlier epochs no longer count.
 *   Grants carry the epoch they were made in, so a grant never reads the (patient, doctor) slot.
 * - An exclusion from the all-records grant and a per-record grant are kept apart: a per-record grant on an
 *   excluded record gives access for its own lifetime only and never lifts the exclusion. The exclusion lasts as
 *   long as the all-records grant it was made from: {updateAllAccessExpiry} changes that grant's expiry and keeps
 *   it, while a new {grantAllAccess} starts a fresh all-records grant that covers every record again.
 * - A doctor may add records for a patient ({addRecord}, {amendRecord}) only with an unexpired all-records
 *   grant: a record a doctor adds is a future record, which only that grant lets them read. Per-record grants
 *   are read-only.
 * - Every check of a doctor asks the {DoctorContract} live, so a deactivated doctor loses every right at once.
 *
 * Emergency access
 * - When no grant is live, {canRead} and {logAccess} ask the registry whether the doctor holds an open emergency
 *   window on the patient ({IDoctorRegistry-hasEmergencyAccess}); it covers every record of the patient (the
 *   patient chose off chain which records the emergency key can open). The granted path never asks.
 *
 * Lists
 * - A patient's records: {recordCount} and {getRecords} pages. A doctor's grants from a patient: {getGrants}
 *   pages through the patient's records, plus {getAllAccess}. The doctors holding grants from a patient, and the
 *   patients who granted a doctor, come from the {AccessGranted} and {AllAccessGranted} events (patient and
 *   doctor are indexed), checked against {getGrants}/{getAllAccess}: keeping an on-chain list would add storage
 *   writes to every grant. The access log is the {RecordAccessed} events.
 *
 * No function calls out to change another contract's state: the only external calls are views of the doctor
 * registry made while checking, before any effect.
 */
contract PatientContract {
    /**
     * @notice A record as {getRecord} and {getRecords} return it.
     * @param recordId The record's id.
     * @param patient The patient the record belongs to.
     * @param index The record's position in the patient's records.
     * @param author Who added it: the patient or a doctor.
     * @param cidDigest The sha2-256 digest of the CIDv1 multihash.
     * @param codec The CIDv1 codec: {CODEC_RAW} or {CODEC_DAG_PB}.
     * @param supersededBy The id of the record that amends this one, 0 if none.
     */
    struct Record {
        uint256 recordId;
        address patient;
        uint256 index;
        address author;
        bytes32 cidDigest;
        uint64 codec;
        uint256 supersededBy;
    }

    /**
     * @notice What a doctor holds on one record, as {getGrants} returns it.
     * @param recordId The record's id.
     * @param granted A grant covers the record: a per-record grant or the all-records grant, not revoked
     * (it may have expired).
     * @param allRecords The all-records grant covers the record.
     * @param expiresAt When the latest-expiring grant covering the record expires; 0 = never (or no grant).
     * @param readable {canRead} for the doctor and the record now: granted, unexpired, doctor active.
     */
    struct Grant {
        uint256 recordId;
        bool granted;
        bool allRecords;
        uint64 expiresAt;
        bool readable;
    }

    /// @dev One slot per patient, written non-zero at registration so that each record only updates it.
    /// `registry` is a copy of the contract-wide registry address: the hot paths read it from the slot they
    /// read anyway instead of paying a cold read of a second slot. It is the same for every patient.
    struct PatientState {
        IDoctorRegistry registry; // non-zero once registered
        uint48 recordCount;
        uint48 epoch; // incremented by each revokeAllAccess of this patient
    }

    /// @dev A per-record grant, as unpacked from its (doctor, record) slot. The slot is packed by hand and holds
    /// two independent facts:
    /// - the per-record grant, bits 0-119: bits 0-7 state (0 = none or revoked, _GRANTED), bits 8-55 epoch (the
    ///   patient's epoch when granted), bits 56-119 expiresAt (0 = no expiry);
    /// - the exclusion from the all-records grant, bits 120-167: the all-records grant generation the record was
    ///   revoked from (0 = none; generations start at 1). The record is excluded from the all-records grant while
    ///   that generation is the current one ({_isCoveredByAll}).
    /// A grant rewrites bits 0-119 and keeps the exclusion; {revokeAccess} clears bits 0-119 and, when an
    /// all-records grant exists, sets the exclusion.
    struct RecordGrant {
        uint8 state;
        uint48 epoch;
        uint64 expiresAt;
    }

    /// @dev One slot per (patient, doctor); written only by grantAllAccess, updateAllAccessExpiry and
    /// revokeAllAccess, so a per-record grant never touches it.
    struct DoctorAccess {
        uint48 minEpoch; // per-record grants from earlier epochs were revoked by revokeAllAccess
        uint48 allGeneration; // incremented by each grantAllAccess (not by updateAllAccessExpiry)
        uint64 allExpiresAt; // 0 = no expiry
        bool allRecords;
    }

    /// @notice CIDv1 codec of a single-block file: raw.
    uint64 public constant CODEC_RAW = 0x55;
    /// @notice CIDv1 codec of a chunked file: dag-pb.
    uint64 public constant CODEC_DAG_PB = 0x70;

    uint8 private constant _GRANTED = 1;
    uint256 private constant _EXCLUSION_SHIFT = 120;
    /// @dev The bits of a (doctor, record) slot a per-record grant keeps: 120-255, the exclusion (bits 120-167;
    /// the rest is always 0). Bits 0-119 are the per-record grant. Written as a literal for inline assembly.
    uint256 private constant _EXCLUSION_MASK = 0xffffffffffffffffffffffffffffffffff000000000000000000000000000000;
    uint256 private constant _INDEX_BITS = 96;
    uint256 private constant _INDEX_MASK = type(uint96).max; // (1 << _INDEX_BITS) - 1, as a literal

    IDoctorRegistry private _doctorRegistry;

    mapping(address patient => PatientState) private _patients;
    mapping(address patient => bytes32) private _encryptionKeys;

    mapping(uint256 recordId => bytes32) private _rawDigests;
    mapping(uint256 recordId => bytes32) private _dagPbDigests;
    mapping(uint256 recordId => address) private _authors; // only when the author is not the patient
    mapping(uint256 recordId => uint256) private _supersededBy;

    mapping(address doctor => mapping(uint256 recordId => uint256 packedGrant)) private _recordGrants;
    mapping(address patient => mapping(address doctor => DoctorAccess)) private _access;

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The zero address was given where an account is required.
    error PatientContractZeroAddress();

    /// @notice `registry` has no code, so it cannot be the doctor registry.
    error PatientContractInvalidRegistry(address registry);

    /// @notice `patient` is already registered.
    error PatientContractAlreadyRegistered(address patient);

    /// @notice `patient` is not registered.
    error PatientContractNotRegistered(address patient);

    /// @notice The encryption public key is zero.
    error PatientContractInvalidEncryptionKey();

    /// @notice `codec` is neither {CODEC_RAW} nor {CODEC_DAG_PB}.
    error PatientContractUnsupportedCodec(uint64 codec);

    /// @notice The CID digest is zero.
    error PatientContractInvalidCidDigest();

    /// @notice `account` is not an active doctor (never registered, or deactivated).
    error PatientContractNotActiveDoctor(address account);

    /// @notice `account` may not add records for `patient`: not the patient, and no unexpired all-records grant.
    error PatientContractWriteDenied(address account, address patient);

    /// @notice `account` may not read record `recordId`.
    error PatientContractAccessDenied(address account, uint256 recordId);

    /// @notice Record `recordId` does not exist.
    error PatientContractRecordNotFound(uint256 recordId);

    /// @notice Record `recordId` does not belong to `account`.
    error PatientContractNotRecordOwner(address account, uint256 recordId);

    /// @notice Record `recordId` was already amended by record `newRecordId`; amend the newest version.
    error PatientContractRecordAlreadyAmended(uint256 recordId, uint256 newRecordId);

    /// @notice `expiresAt` is not zero and not in the future.
    error PatientContractInvalidExpiry(uint64 expiresAt);

    /// @notice No record id was given.
    error PatientContractEmptyRecordList();

    /// @notice `doctor` holds no grant on record `recordId` to revoke.
    error PatientContractGrantNotFound(address doctor, uint256 recordId);

    /// @notice The caller holds no all-records grant to `doctor` whose expiry could be changed.
    error PatientContractAllAccessNotFound(address doctor);

    /// @notice A page was requested at `offset`, past the end of a list of `count` items.
    error PatientContractPageOutOfRange(uint256 offset, uint256 count);

    /// @notice `index` does not fit the 96 bits a record id gives it.
    error PatientContractIndexOutOfRange(uint256 index);

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice `patient` registered with `encryptionKey`.
    event PatientRegistered(address indexed patient, bytes32 encryptionKey);

    /// @notice `patient` rotated their encryption public key to `encryptionKey`.
    event PatientEncryptionKeySet(address indexed patient, bytes32 encryptionKey);

    /// @notice `author` added record `recordId` for `patient` at block time `time` (the record's timestamp).
    event RecordAdded(
        address indexed patient,
        address indexed author,
        uint256 indexed recordId,
        bytes32 cidDigest,
        uint64 codec,
        uint64 time
    );

    /// @notice Record `recordId` of `patient` is superseded by `newRecordId`, added in the same transaction.
    event RecordAmended(address indexed patient, uint256 indexed recordId, uint256 indexed newRecordId);

    /// @notice `patient` granted `doctor` record `recordId` until `expiresAt` (0 = no expiry).
    event AccessGranted(address indexed patient, address indexed doctor, uint256 indexed recordId, uint64 expiresAt);

    /// @notice `patient` granted `doctor` all records, including future ones, until `expiresAt` (0 = no expiry).
    event AllAccessGranted(address indexed patient, address indexed doctor, uint64 expiresAt);

    /// @notice `patient` changed the expiry of `doctor`'s all-records grant to `expiresAt` (0 = no expiry); the
    /// records excluded from it stay excluded.
    event AllAccessExpiryUpdated(address indexed patient, address indexed doctor, uint64 expiresAt);

    /// @notice `patient` revoked `doctor`'s access to record `recordId`.
    event AccessRevoked(address indexed patient, address indexed doctor, uint256 indexed recordId);

    /// @notice `patient` revoked every grant `doctor` held.
    event AllAccessRevoked(address indexed patient, address indexed doctor);

    /// @notice `doctor` opened record `recordId` of `patient` at block time `time`. This is the access log.
    event RecordAccessed(address indexed patient, address indexed doctor, uint256 indexed recordId, uint64 time);

    /**
     * @notice Binds this contract to the doctor registry for good.
     * @dev The address is kept in storage, not in an immutable, so that the deployed runtime code equals the
     * artifact's `deployedBytecode`.
     *
     * Requirements: `registry` is a contract ({PatientContractZeroAddress},
     * {PatientContractInvalidRegistry}).
     * @param registry The {DoctorContract}.
     */
    constructor(address registry) {
        if (registry == address(0)) revert PatientContractZeroAddress();
        if (registry.code.length == 0) revert PatientContractInvalidRegistry(registry);
        _doctorRegistry = IDoctorRegistry(registry);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Patients
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Registers the caller as a patient with their X25519 encryption public key.
     * @dev Requirements:
     * - the caller is not registered yet ({PatientContractAlreadyRegistered});
     * - `encryptionKey` is not zero ({PatientContractInvalidEncryptionKey}).
     *
     * Emits {PatientRegistered}.
     * @param encryptionKey The 32-byte X25519 public key.
     */
    function registerPatient(bytes32 encryptionKey) external {
        PatientState storage patient = _patients[msg.sender];
        if (address(patient.registry) != address(0)) revert PatientContractAlreadyRegistered(msg.sender);
        if (encryptionKey == bytes32(0)) revert PatientContractInvalidEncryptionKey();
        // The slot is still zero: record count 0, epoch 0. Only the registry is written.
        patient.registry = _doctorRegistry;
        _encryptionKeys[msg.sender] = encryptionKey;
        emit PatientRegistered(msg.sender, encryptionKey);
    }

    /**
     * @notice Rotates the caller's encryption public key. Record keys already wrapped for the old key are
     * re-wrapped off chain.
     * @dev Requirements:
     * - the caller is a registered patient ({PatientContractNotRegistered});
     * - `encryptionKey` is not zero ({PatientContractInvalidEncryptionKey}).
     *
     * Emits {PatientEncryptionKeySet}.
     * @param encryptionKey The new 32-byte X25519 public key.
     */
    function setEncryptionKey(bytes32 encryptionKey) external {
        _requirePatient(msg.sender);
        if (encryptionKey == bytes32(0)) revert PatientContractInvalidEncryptionKey();
        _encryptionKeys[msg.sender] = encryptionKey;
        emit PatientEncryptionKeySet(msg.sender, encryptionKey);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Records
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Adds a record for `patient`: the patient themself, or an active doctor holding an unexpired
     * all-records grant from the patient. The record's time is the `time` of the {RecordAdded} event.
     * @dev Requirements:
     * - `patient` is registered ({PatientContractNotRegistered});
     * - the caller is `patient`, or an active doctor ({PatientContractNotActiveDoctor}) with an unexpired
     *   all-records grant from `patient` ({PatientContractWriteDenied});
     * - `codec` is {CODEC_RAW} or {CODEC_DAG_PB} ({PatientContractUnsupportedCodec}) and `cidDigest` is not
     *   zero ({PatientContractInvalidCidDigest}).
     *
     * Emits {RecordAdded}.
     * @param patient The patient the record belongs to.
     * @param cidDigest The sha2-256 digest of the file's CIDv1.
     * @param codec The CIDv1 codec.
     * @return recordId The new record's id.
     */
    function addRecord(address patient, bytes32 cidDigest, uint64 codec) external returns (uint256 recordId) {
        PatientState memory state = _patients[patient];
        if (address(state.registry) == address(0)) revert PatientContractNotRegistered(patient);
        if (msg.sender != patient) _checkWriter(patient, state.registry, msg.sender);
        _checkCid(cidDigest, codec);
        recordId = _appendRecord(patient, state.recordCount, cidDigest, codec);
    }

    /**
     * @notice Amends record `recordId`: adds a new record with the corrected file and marks the old one as
     * superseded by it. The old record stays readable; only the newest version of a record can be amended.
     * @dev Requirements:
     * - record `recordId` exists ({PatientContractRecordNotFound}) and has not been amended yet
     *   ({PatientContractRecordAlreadyAmended});
     * - the caller is its patient, or an active doctor ({PatientContractNotActiveDoctor}) with an unexpired
     *   all-records grant ({PatientContractWriteDenied}) under which they can read the record
     *   ({PatientContractAccessDenied});
     * - `codec` and `cidDigest` are valid, as for {addRecord}.
     *
     * Emits {RecordAdded} for the new record, then {RecordAmended}.
     * @param recordId The record to amend.
     * @param cidDigest The sha2-256 digest of the new file's CIDv1.
     * @param codec The new file's CIDv1 codec.
     * @return newRecordId The new record's id.
     */
    function amendRecord(uint256 recordId, bytes32 cidDigest, uint64 codec) external returns (uint256 newRecordId) {
        address patient = _patientOf(recordId);
        PatientState memory state = _patients[patient];
        if ((recordId & _INDEX_MASK) >= state.recordCount) revert PatientContractRecordNotFound(recordId);
        uint256 supersededBy = _supersededBy[recordId];
        if (supersededBy != 0) revert PatientContractRecordAlreadyAmended(recordId, supersededBy);
        if (msg.sender != patient) {
            _checkWriter(patient, state.registry, msg.sender);
            if (!_isGrantLive(patient, state.epoch, msg.sender, recordId)) {
                revert PatientContractAccessDenied(msg.sender, recordId);
            }
        }
        _checkCid(cidDigest, codec);
        newRecordId = _appendRecord(patient, state.recordCount, cidDigest, codec);
        _supersededBy[recordId] = newRecordId;
        emit RecordAmended(patient, recordId, newRecordId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Grants
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Grants `doctor` read access to the caller's records `recordIds` until `expiresAt` (0 = no
     * expiry). Granting a record again replaces the expiry of its per-record grant. A per-record grant gives
     * access for its own lifetime only: on a record excluded from the all-records grant ({revokeAccess}), it
     * does not lift the exclusion, so the record is unreadable again once the per-record grant expires.
     * @dev For a single record, {grantRecordAccess} does the same for less gas.
     *
     * Requirements, checked in this order:
     * - `recordIds` is not empty ({PatientContractEmptyRecordList});
     * - `doctor` is not the zero address ({PatientContractZeroAddress});
     * - the caller is a registered patient ({PatientContractNotRegistered});
     * - `expiresAt` is 0 or in the future ({PatientContractInvalidExpiry});
     * - `doctor` is an active doctor ({PatientContractNotActiveDoctor});
     * - every record belongs to the caller ({PatientContractNotRecordOwner}) and exists
     *   ({PatientContractRecordNotFound}).
     *
     * Emits one {AccessGranted} per record.
     * @param doctor The doctor.
     * @param recordIds The records to grant (the loop runs over this argument, never over storage).
     * @param expiresAt Unix time at which the grant ends, 0 for none.
     */
    function grantAccess(address doctor, uint256[] calldata recordIds, uint64 expiresAt) external {
        if (recordIds.length == 0) revert PatientContractEmptyRecordList();
        (uint256 recordCount, uint256 grant) = _checkGrant(doctor, expiresAt);
        for (uint256 i = 0; i < recordIds.length; ) {
            _grantRecord(doctor, recordIds[i], recordCount, grant, expiresAt);
            unchecked {
                ++i;
            }
        }
    }

    /**
     * @notice Grants `doctor` read access to the caller's record `recordId` until `expiresAt` (0 = no expiry):
     * {grantAccess} for one record, without the cost of decoding an array. Granting a record again replaces the
     * expiry of its per-record grant. A per-record grant gives access for its own lifetime only: on a record
     * excluded from the all-records grant ({revokeAccess}), it does not lift the exclusion.
     * @dev Requirements, checked in this order:
     * - `doctor` is not the zero address ({PatientContractZeroAddress});
     * - the caller is a registered patient ({PatientContractNotRegistered});
     * - `expiresAt` is 0 or in the future ({PatientContractInvalidExpiry});
     * - `doctor` is an active doctor ({PatientContractNotActiveDoctor});
     * - the record belongs to the caller ({PatientContractNotRecordOwner}) and exists
     *   ({PatientContractRecordNotFound}).
     *
     * Emits {AccessGranted}.
     * @param doctor The doctor.
     * @param recordId The record to grant.
     * @param expiresAt Unix time at which the grant ends, 0 for none.
     */
    function grantRecordAccess(address doctor, uint256 recordId, uint64 expiresAt) external {
        (uint256 recordCount, uint256 grant) = _checkGrant(doctor, expiresAt);
        _grantRecord(doctor, recordId, recordCount, grant, expiresAt);
    }

    /**
     * @notice Grants `doctor` read access to all the caller's records, including future ones, and the right to
     * add records, until `expiresAt` (0 = no expiry). It replaces an earlier all-records grant, including the
     * records revoked from it: all records are covered again. To change only the expiry of an all-records
     * grant and keep the records revoked from it excluded, use {updateAllAccessExpiry}.
     * @dev Requirements:
     * - `doctor` is not the zero address ({PatientContractZeroAddress});
     * - the caller is a registered patient ({PatientContractNotRegistered});
     * - `expiresAt` is 0 or in the future ({PatientContractInvalidExpiry});
     * - `doctor` is an active doctor ({PatientContractNotActiveDoctor}).
     *
     * Emits {AllAccessGranted}.
     * @param doctor The doctor.
     * @param expiresAt Unix time at which the grant ends, 0 for none.
     */
    function grantAllAccess(address doctor, uint64 expiresAt) external {
        if (doctor == address(0)) revert PatientContractZeroAddress();
        PatientState memory state = _requirePatient(msg.sender);
        _checkExpiry(expiresAt);
        _checkActiveDoctor(state.registry, doctor);

        DoctorAccess storage access = _access[msg.sender][doctor];
        access.allGeneration += 1;
        access.allExpiresAt = expiresAt;
        access.allRecords = true;
        emit AllAccessGranted(msg.sender, doctor, expiresAt);
    }

    /**
     * @notice Changes the expiry of the caller's all-records grant to `doctor` to `expiresAt` (0 = no expiry),
     * keeping the records revoked from it excluded; it may lengthen, shorten or renew an expired grant. Unlike
     * {grantAllAccess}, it does not start a new all-records grant. Per-record grants keep their own expiry.
     * @dev Requirements, checked in this order:
     * - `doctor` is not the zero address ({PatientContractZeroAddress});
     * - the caller is a registered patient ({PatientContractNotRegistered});
     * - `expiresAt` is 0 or in the future ({PatientContractInvalidExpiry});
     * - `doctor` is an active doctor ({PatientContractNotActiveDoctor});
     * - the caller holds an all-records grant to `doctor`, expired or not, not ended by {revokeAllAccess}
     *   ({PatientContractAllAccessNotFound}).
     *
     * Emits {AllAccessExpiryUpdated}.
     * @param doctor The doctor.
     * @param expiresAt Unix time at which the all-records grant ends, 0 for none.
     */
    function updateAllAccessExpiry(address doctor, uint64 expiresAt) external {
        if (doctor == address(0)) revert PatientContractZeroAddress();
        PatientState memory state = _requirePatient(msg.sender);
        _checkExpiry(expiresAt);
        _checkActiveDoctor(state.registry, doctor);

        DoctorAccess storage access = _access[msg.sender][doctor];
        if (!access.allRecords) revert PatientContractAllAccessNotFound(doctor);
        access.allExpiresAt = expiresAt;
        emit AllAccessExpiryUpdated(msg.sender, doctor, expiresAt);
    }

    /**
     * @notice Revokes `doctor`'s access to the caller's records `recordIds`, whether it came from a per-record
     * grant, the all-records grant (the record is then excluded from it), or both. Revoking an expired grant
     * is allowed. The doctor may hold on to what they already decrypted; nothing else stays readable. An
     * exclusion lasts until the next {grantAllAccess} (not {updateAllAccessExpiry}); a later per-record grant
     * gives access for its own lifetime without lifting it.
     * @dev Requirements:
     * - the caller is a registered patient ({PatientContractNotRegistered});
     * - `recordIds` is not empty ({PatientContractEmptyRecordList});
     * - every record belongs to the caller ({PatientContractNotRecordOwner}), exists
     *   ({PatientContractRecordNotFound}) and is covered by a grant to `doctor`
     *   ({PatientContractGrantNotFound}); a record listed twice is not covered the second time.
     *
     * Emits one {AccessRevoked} per record.
     * @param doctor The doctor.
     * @param recordIds The records to revoke (the loop runs over this argument, never over storage).
     */
    function revokeAccess(address doctor, uint256[] calldata recordIds) external {
        uint256 recordCount = _recordCountOfCaller();
        if (recordIds.length == 0) revert PatientContractEmptyRecordList();
        DoctorAccess memory access = _access[msg.sender][doctor];

        for (uint256 i = 0; i < recordIds.length; ) {
            uint256 recordId = recordIds[i];
            _checkOwnRecord(recordCount, recordId);
            uint256 packed = _recordGrants[doctor][recordId];
            if (!_isPerRecordGranted(_unpackGrant(packed), access) && !_isCoveredByAll(packed, access)) {
                revert PatientContractGrantNotFound(doctor, recordId);
            }
            if (access.allRecords) {
                // No per-record grant, excluded from the current all-records grant.
                _recordGrants[doctor][recordId] = uint256(access.allGeneration) << _EXCLUSION_SHIFT;
            } else {
                delete _recordGrants[doctor][recordId];
            }
            emit AccessRevoked(msg.sender, doctor, recordId);
            unchecked {
                ++i;
            }
        }
    }

    /**
     * @notice Revokes every grant `doctor` holds from the caller, per-record and all-records, in O(1): the
     * caller's grant epoch moves on and the earlier per-record grants stop counting. The call is idempotent;
     * it does not check that a grant existed, since per-record grants are not counted (that would add a storage
     * write to every grant).
     * @dev Requirements:
     * - `doctor` is not the zero address ({PatientContractZeroAddress});
     * - the caller is a registered patient ({PatientContractNotRegistered}).
     *
     * Emits {AllAccessRevoked}.
     * @param doctor The doctor.
     */
    function revokeAllAccess(address doctor) external {
        if (doctor == address(0)) revert PatientContractZeroAddress();
        PatientState memory state = _requirePatient(msg.sender);

        uint48 epoch = state.epoch + 1;
        _patients[msg.sender].epoch = epoch;
        DoctorAccess storage access = _access[msg.sender][doctor];
        access.minEpoch = epoch;
        access.allExpiresAt = 0;
        access.allRecords = false;
        emit AllAccessRevoked(msg.sender, doctor);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Access log
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Records on chain that the caller opens record `recordId`; a doctor calls it before the server
     * hands them the record's wrapped key. The patient reads their access log from the {RecordAccessed} events.
     * An opening under emergency access is logged the same way.
     * @dev Requirements: record `recordId` exists ({PatientContractRecordNotFound}), and the caller is its
     * patient or an active doctor ({PatientContractNotActiveDoctor}) who can read it through a live grant or,
     * when none is live, an open emergency window ({IDoctorRegistry-hasEmergencyAccess})
     * ({PatientContractAccessDenied}), i.e. {canRead} holds.
     *
     * Emits {RecordAccessed}.
     * @param recordId The record opened.
     */
    function logAccess(uint256 recordId) external {
        address patient = _patientOf(recordId);
        PatientState memory state = _patients[patient];
        if ((recordId & _INDEX_MASK) >= state.recordCount) revert PatientContractRecordNotFound(recordId);
        if (msg.sender != patient) {
            _checkActiveDoctor(state.registry, msg.sender);
            if (!_isGrantLive(patient, state.epoch, msg.sender, recordId)) {
                _checkEmergencyAccess(state.registry, patient, recordId);
            }
        }
        emit RecordAccessed(patient, msg.sender, recordId, uint64(block.timestamp));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice The doctor registry this contract checks doctors against.
     * @return The {DoctorContract} address.
     */
    function doctorRegistry() external view returns (address) {
        return address(_doctorRegistry);
    }

    /**
     * @notice Whether `account` is a registered patient.
     * @param account The address to check.
     * @return True when `account` is registered.
     */
    function isPatient(address account) external view returns (bool) {
        return address(_patients[account].registry) != address(0);
    }

    /**
     * @notice The encryption public key of `patient`.
     * @dev Requirements: `patient` is registered ({PatientContractNotRegistered}).
     * @param patient The patient.
     * @return The patient's 32-byte X25519 public key.
     */
    function encryptionKeyOf(address patient) external view returns (bytes32) {
        _requirePatient(patient);
        return _encryptionKeys[patient];
    }

    /**
     * @notice Whether `reader` may read record `recordId` now: the record exists, and `reader` is its patient,
     * or an active doctor holding an unexpired, unrevoked grant that covers it or, when no grant is live, an open
     * emergency window on the patient ({IDoctorRegistry-hasEmergencyAccess}). Never reverts.
     * @param reader The patient or doctor.
     * @param recordId The record.
     * @return True when `reader` may read the record.
     */
    function canRead(address reader, uint256 recordId) external view returns (bool) {
        address patient = _patientOf(recordId);
        PatientState memory state = _patients[patient];
        if ((recordId & _INDEX_MASK) >= state.recordCount) return false;
        if (reader == patient) return true;
        return
            (_isGrantLive(patient, state.epoch, reader, recordId) ||
                state.registry.hasEmergencyAccess(reader, patient)) && _isActiveDoctor(state.registry, reader);
    }

    /**
     * @notice One record. Its time is the `time` of its {RecordAdded} event.
     * @dev Requirements: the record exists ({PatientContractRecordNotFound}).
     * @param recordId The record.
     * @return The record.
     */
    function getRecord(uint256 recordId) external view returns (Record memory) {
        address patient = _patientOf(recordId);
        uint256 index = recordId & _INDEX_MASK;
        if (index >= _patients[patient].recordCount) revert PatientContractRecordNotFound(recordId);
        return _record(patient, index);
    }

    /**
     * @notice The number of records of `patient` (0 for an unregistered address).
     * @param patient The patient.
     * @return The number of records, superseded ones included.
     */
    function recordCount(address patient) external view returns (uint256) {
        return _patients[patient].recordCount;
    }

    /**
     * @notice A page of the records of `patient`, oldest first, superseded ones included.
     * @dev `offset == recordCount(patient)` returns an empty page; `limit` is clamped to the records left.
     *
     * Requirements: `offset <= recordCount(patient)` ({PatientContractPageOutOfRange}).
     * @param patient The patient.
     * @param offset Index of the first record of the page.
     * @param limit Most records to return.
     * @return records The records.
     */
    function getRecords(
        address patient,
        uint256 offset,
        uint256 limit
    ) external view returns (Record[] memory records) {
        uint256 size = _pageSize(_patients[patient].recordCount, offset, limit);
        records = new Record[](size);
        for (uint256 i = 0; i < size; ++i) {
            records[i] = _record(patient, offset + i);
        }
    }

    /**
     * @notice What `doctor` holds on a page of the records of `patient`, in record order: the doctor's
     * current grants from this patient, record by record.
     * @dev Same paging rules as {getRecords} ({PatientContractPageOutOfRange}).
     * @param patient The patient.
     * @param doctor The doctor.
     * @param offset Index of the first record of the page.
     * @param limit Most records to return.
     * @return grants One entry per record of the page.
     */
    function getGrants(
        address patient,
        address doctor,
        uint256 offset,
        uint256 limit
    ) external view returns (Grant[] memory grants) {
        PatientState memory state = _patients[patient];
        uint256 size = _pageSize(state.recordCount, offset, limit);
        grants = new Grant[](size);
        if (size == 0) return grants;

        bool doctorActive = _isActiveDoctor(state.registry, doctor);
        DoctorAccess memory access = _access[patient][doctor];
        for (uint256 i = 0; i < size; ++i) {
            uint256 recordId = _recordIdOf(patient, offset + i);
            grants[i] = _grantOf(recordId, _recordGrants[doctor][recordId], access, doctorActive);
        }
    }

    /**
     * @notice The all-records grant `doctor` holds from `patient`.
     * @param patient The patient.
     * @param doctor The doctor.
     * @return granted Whether the grant exists (it may have expired).
     * @return expiresAt When it expires, 0 for never.
     */
    function getAllAccess(address patient, address doctor) external view returns (bool granted, uint64 expiresAt) {
        DoctorAccess memory access = _access[patient][doctor];
        return (access.allRecords, access.allExpiresAt);
    }

    /**
     * @notice The id of the record at `index` among the records of `patient`.
     * @dev Requirements: `index` fits in 96 bits ({PatientContractIndexOutOfRange}).
     * @param patient The patient.
     * @param index The 0-based position in the patient's records.
     * @return The record id `(uint256(uint160(patient)) << 96) | index`.
     */
    function recordIdOf(address patient, uint256 index) external pure returns (uint256) {
        if (index > _INDEX_MASK) revert PatientContractIndexOutOfRange(index);
        return _recordIdOf(patient, index);
    }

    /**
     * @notice The patient a record id belongs to (whether or not the record exists).
     * @param recordId The record id.
     * @return The patient's address, the top 160 bits of the id.
     */
    function patientOf(uint256 recordId) external pure returns (address) {
        return _patientOf(recordId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Writes record `index` of `patient` (one new slot: the digest) and counts it. Emits {RecordAdded}.
    function _appendRecord(
        address patient,
        uint48 index,
        bytes32 cidDigest,
        uint64 codec
    ) private returns (uint256 recordId) {
        recordId = _recordIdOf(patient, index);
        if (codec == CODEC_RAW) {
            _rawDigests[recordId] = cidDigest;
        } else {
            _dagPbDigests[recordId] = cidDigest;
        }
        if (msg.sender != patient) _authors[recordId] = msg.sender;
        _patients[patient].recordCount = index + 1;
        emit RecordAdded(patient, msg.sender, recordId, cidDigest, codec, uint64(block.timestamp));
    }

    /// @dev Record `index` of `patient`, assumed to exist.
    function _record(address patient, uint256 index) private view returns (Record memory record) {
        uint256 recordId = _recordIdOf(patient, index);
        record.recordId = recordId;
        record.patient = patient;
        record.index = index;
        address author = _authors[recordId];
        record.author = author == address(0) ? patient : author;
        bytes32 digest = _rawDigests[recordId];
        if (digest != bytes32(0)) {
            record.codec = CODEC_RAW;
        } else {
            digest = _dagPbDigests[recordId];
            record.codec = CODEC_DAG_PB;
        }
        record.cidDigest = digest;
        record.supersededBy = _supersededBy[recordId];
    }

    /**
     * @dev Whether a grant from `patient` (whose epoch is `epoch`) lets `doctor` read `recordId` now, the
     * doctor's status aside. A per-record grant made in the patient's current epoch is live without reading
     * the (patient, doctor) slot, which saves a cold read on the common path; an exclusion from the all-records
     * grant does not matter to it.
     */
    function _isGrantLive(address patient, uint48 epoch, address doctor, uint256 recordId) private view returns (bool) {
        uint256 packed = _recordGrants[doctor][recordId];
        RecordGrant memory grant = _unpackGrant(packed);
        if (grant.state == _GRANTED && grant.epoch == epoch && _isUnexpired(grant.expiresAt)) return true;

        DoctorAccess memory access = _access[patient][doctor];
        if (_isPerRecordGranted(grant, access) && _isUnexpired(grant.expiresAt)) return true;
        return _isCoveredByAll(packed, access) && _isUnexpired(access.allExpiresAt);
    }

    /// @dev What {getGrants} reports for one record.
    function _grantOf(
        uint256 recordId,
        uint256 packed,
        DoctorAccess memory access,
        bool doctorActive
    ) private view returns (Grant memory result) {
        RecordGrant memory grant = _unpackGrant(packed);
        bool perRecord = _isPerRecordGranted(grant, access);
        bool viaAll = _isCoveredByAll(packed, access);
        result.recordId = recordId;
        result.granted = perRecord || viaAll;
        result.allRecords = viaAll;
        if (perRecord && viaAll) {
            result.expiresAt = (grant.expiresAt == 0 || access.allExpiresAt == 0)
                ? 0
                : (grant.expiresAt > access.allExpiresAt ? grant.expiresAt : access.allExpiresAt);
        } else if (perRecord) {
            result.expiresAt = grant.expiresAt;
        } else if (viaAll) {
            result.expiresAt = access.allExpiresAt;
        }
        result.readable =
            doctorActive &&
            ((perRecord && _isUnexpired(grant.expiresAt)) || (viaAll && _isUnexpired(access.allExpiresAt)));
    }

    /// @dev A per-record grant not ended by a later {revokeAllAccess}.
    function _isPerRecordGranted(RecordGrant memory grant, DoctorAccess memory access) private pure returns (bool) {
        return grant.state == _GRANTED && grant.epoch >= access.minEpoch;
    }

    /// @dev The all-records grant exists and the record was not revoked from it (generations start at 1, so an
    /// exclusion of 0 never matches).
    function _isCoveredByAll(uint256 packed, DoctorAccess memory access) private pure returns (bool) {
        return access.allRecords && uint48(packed >> _EXCLUSION_SHIFT) != access.allGeneration;
    }

    /// @dev Bits 0-119 of a (doctor, record) slot: a per-record grant (layout at {RecordGrant}).
    function _packGrant(uint8 state, uint48 epoch, uint64 expiresAt) private pure returns (uint256) {
        return uint256(state) | (uint256(epoch) << 8) | (uint256(expiresAt) << 56);
    }

    /// @dev The per-record grant read from a (doctor, record) slot value (bits 0-119; the exclusion is left out).
    function _unpackGrant(uint256 packed) private pure returns (RecordGrant memory grant) {
        grant.state = uint8(packed);
        grant.epoch = uint48(packed >> 8);
        grant.expiresAt = uint64(packed >> 56);
    }

    /**
     * @dev The checks {grantAccess} and {grantRecordAccess} make before any record, in this order: `doctor` is not
     * zero, the caller is registered, `expiresAt` is valid, and `doctor` is active. Returns the caller's record
     * count and the slot value of a grant made now (the caller's current epoch and `expiresAt`). The patient slot
     * is read once, into the stack rather than memory, before the registry call.
     */
    function _checkGrant(address doctor, uint64 expiresAt) private view returns (uint256 recordCount, uint256 grant) {
        if (doctor == address(0)) revert PatientContractZeroAddress();
        PatientState storage patient = _patients[msg.sender];
        IDoctorRegistry registry = patient.registry;
        recordCount = patient.recordCount;
        grant = _packGrant(_GRANTED, patient.epoch, expiresAt);
        if (address(registry) == address(0)) revert PatientContractNotRegistered(msg.sender);
        _checkExpiry(expiresAt);
        _checkActiveDoctor(registry, doctor);
    }

    /**
     * @dev Writes `grant` (from {_checkGrant}) as `doctor`'s per-record grant on the caller's record `recordId`,
     * after checking that the record is the caller's and exists (the caller has `recordCount` records). The
     * record's exclusion from the all-records grant, if any, is kept: the slot is read first (which makes the
     * write warm, so the read costs next to nothing) and only the grant bits are replaced. The slot is computed
     * and written in inline assembly: the same read-modify-write in Solidity costs about 40 gas more per record
     * (address cleaning and stack shuffling), enough to raise grantRecordAccess above its figure before the
     * exclusion was kept. `doctor` is an ABI-decoded address, so its upper bits are clean, as the mapping key
     * hash and the event topic need.
     * Emits {AccessGranted}.
     */
    function _grantRecord(
        address doctor,
        uint256 recordId,
        uint256 recordCount,
        uint256 grant,
        uint64 expiresAt
    ) private {
        _checkOwnRecord(recordCount, recordId);
        // _recordGrants[doctor][recordId] = (_recordGrants[doctor][recordId] & _EXCLUSION_MASK) | grant, then
        // emit AccessGranted(msg.sender, doctor, recordId, expiresAt) with its one data word in the scratch space
        // rather than in newly allocated memory: both run once per granted record.
        bytes32 topic0 = AccessGranted.selector;
        assembly ("memory-safe") {
            mstore(0x00, doctor)
            mstore(0x20, _recordGrants.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, recordId)
            let slot := keccak256(0x00, 0x40)
            sstore(slot, or(and(sload(slot), _EXCLUSION_MASK), grant))
            mstore(0x00, expiresAt)
            log4(0x00, 0x20, topic0, caller(), doctor, recordId)
        }
    }

    /// @dev Reverts unless `account` may add records for `patient` besides the patient themself.
    function _checkWriter(address patient, IDoctorRegistry registry, address account) private view {
        _checkActiveDoctor(registry, account);
        DoctorAccess memory access = _access[patient][account];
        if (!access.allRecords || !_isUnexpired(access.allExpiresAt)) {
            revert PatientContractWriteDenied(account, patient);
        }
    }

    /// @dev Reverts with {PatientContractAccessDenied} unless the caller holds an open emergency window on `patient`
    /// (asked only when no grant is live, so the granted path pays nothing for it).
    function _checkEmergencyAccess(IDoctorRegistry registry, address patient, uint256 recordId) private view {
        if (!registry.hasEmergencyAccess(msg.sender, patient)) revert PatientContractAccessDenied(msg.sender, recordId);
    }

    /// @dev Reverts with {PatientContractNotActiveDoctor} unless the registry says `account` is active.
    function _checkActiveDoctor(IDoctorRegistry registry, address account) private view {
        if (!_isActiveDoctor(registry, account)) revert PatientContractNotActiveDoctor(account);
    }

    /**
     * @dev `registry.isActiveDoctor(account)`, as a bare STATICCALL through the scratch space: it is on the hot
     * path of every grant, access log and doctor-written record, and this saves the ABI coder's memory work.
     * A failed call or a malformed answer counts as "not active".
     */
    function _isActiveDoctor(IDoctorRegistry registry, address account) private view returns (bool active) {
        bytes4 selector = IDoctorRegistry.isActiveDoctor.selector;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, account)
            let ok := staticcall(gas(), registry, 0x00, 0x24, 0x00, 0x20)
            active := and(and(ok, gt(returndatasize(), 0x1f)), eq(mload(0x00), 1))
        }
    }

    /// @dev Reverts unless `recordId` is an existing record of the caller, who has `recordCount` records.
    function _checkOwnRecord(uint256 recordCount, uint256 recordId) private view {
        if (recordId >> _INDEX_BITS != uint160(msg.sender)) revert PatientContractNotRecordOwner(msg.sender, recordId);
        if ((recordId & _INDEX_MASK) >= recordCount) revert PatientContractRecordNotFound(recordId);
    }

    /// @dev Reverts unless `codec` is supported and `cidDigest` is not zero.
    function _checkCid(bytes32 cidDigest, uint64 codec) private pure {
        if (codec != CODEC_RAW && codec != CODEC_DAG_PB) revert PatientContractUnsupportedCodec(codec);
        if (cidDigest == bytes32(0)) revert PatientContractInvalidCidDigest();
    }

    /// @dev Reverts with {PatientContractInvalidExpiry} unless `expiresAt` is 0 or in the future.
    function _checkExpiry(uint64 expiresAt) private view {
        // `expiresAt != 0 && expiresAt <= block.timestamp` in one comparison: 0 - 1 wraps to the largest uint64.
        unchecked {
            if (expiresAt - 1 < block.timestamp) revert PatientContractInvalidExpiry(expiresAt);
        }
    }

    /// @dev The caller's record count, read onto the stack rather than into memory (cheaper than {_requirePatient} on
    /// the hot path); reverts with {PatientContractNotRegistered} if the caller is not registered.
    function _recordCountOfCaller() private view returns (uint256) {
        PatientState storage patient = _patients[msg.sender];
        (IDoctorRegistry registry, uint48 records) = (patient.registry, patient.recordCount);
        if (address(registry) == address(0)) revert PatientContractNotRegistered(msg.sender);
        return records;
    }

    /// @dev The state of `patient`; reverts with {PatientContractNotRegistered} if not registered.
    function _requirePatient(address patient) private view returns (PatientState memory state) {
        state = _patients[patient];
        if (address(state.registry) == address(0)) revert PatientContractNotRegistered(patient);
    }

    /// @dev The size of the page at `offset` of at most `limit` items among `count`.
    function _pageSize(uint256 count, uint256 offset, uint256 limit) private pure returns (uint256 size) {
        if (offset > count) revert PatientContractPageOutOfRange(offset, count);
        size = count - offset;
        if (limit < size) size = limit;
    }

    /// @dev Whether a grant expiring at `expiresAt` (0 = never) still holds at the current block time.
    function _isUnexpired(uint64 expiresAt) private view returns (bool) {
        return expiresAt == 0 || block.timestamp < expiresAt;
    }

    /// @dev `(uint256(uint160(patient)) << 96) | index`; `index` must fit in 96 bits.
    function _recordIdOf(address patient, uint256 index) private pure returns (uint256) {
        return (uint256(uint160(patient)) << _INDEX_BITS) | index;
    }

    /// @dev The top 160 bits of `recordId`.
    function _patientOf(uint256 recordId) private pure returns (address) {
        return address(uint160(recordId >> _INDEX_BITS));
    }
}
