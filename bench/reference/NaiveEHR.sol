// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title NaiveEHR
 * @notice Gas REFERENCE ONLY, never deployed by the app. It enforces the same rules as DoctorContract +
 * PatientContract but stores data the way the common open-source EHR demos do: the CID as a `string` inside
 * arrays of structs of strings, `uint256` timestamps and `bool` flags in their own slots, lists kept in storage
 * and searched by loops, and an access log pushed to storage. bench/gas/run.js measures the same operations on
 * it and on our contracts.
 */
contract NaiveEHR {
    struct Doctor {
        string name;
        string specialty;
        string licence;
        string publicKey;
        bool active;
        uint256 registeredAt;
    }

    struct Patient {
        string publicKey;
        bool registered;
    }

    struct Record {
        string cid;
        address author;
        uint256 timestamp;
        bool superseded;
    }

    struct Grant {
        string cid;
        address doctor;
        uint256 expiresAt;
        bool revoked;
    }

    struct AccessLog {
        string cid;
        address doctor;
        uint256 timestamp;
    }

    address public admin;
    mapping(address => Doctor) public doctors;
    address[] public doctorList;
    mapping(address => Patient) public patients;
    address[] public patientList;

    mapping(address => Record[]) public records;
    mapping(string => address) public cidOwner;
    mapping(address => Grant[]) public grants;
    mapping(address => mapping(address => bool)) public allAccess;
    mapping(address => mapping(address => uint256)) public allAccessExpiry;
    mapping(address => AccessLog[]) public accessLogs;

    event DoctorRegistered(address doctor, string name);
    event PatientRegistered(address patient);
    event RecordAdded(address patient, address author, string cid, uint256 timestamp);
    event AccessGranted(address patient, address doctor, string cid, uint256 expiresAt);
    event AllAccessGranted(address patient, address doctor, uint256 expiresAt);
    event AllAccessExpiryUpdated(address patient, address doctor, uint256 expiresAt);
    event AccessRevoked(address patient, address doctor, string cid);
    event RecordAccessed(address patient, address doctor, string cid, uint256 timestamp);

    constructor() {
        admin = msg.sender;
    }

    function registerDoctor(
        address doctor,
        string memory name,
        string memory specialty,
        string memory licence
    ) public {
        require(msg.sender == admin, "Only admin");
        require(doctors[doctor].registeredAt == 0, "Doctor exists");
        doctors[doctor] = Doctor(name, specialty, licence, "", true, block.timestamp);
        doctorList.push(doctor);
        emit DoctorRegistered(doctor, name);
    }

    function setDoctorKey(string memory publicKey) public {
        require(doctors[msg.sender].registeredAt != 0, "Not a doctor");
        doctors[msg.sender].publicKey = publicKey;
    }

    function registerPatient(string memory publicKey) public {
        require(!patients[msg.sender].registered, "Patient exists");
        patients[msg.sender] = Patient(publicKey, true);
        patientList.push(msg.sender);
        emit PatientRegistered(msg.sender);
    }

    function addRecord(address patient, string memory cid) public {
        require(patients[patient].registered, "Not a patient");
        if (msg.sender != patient) {
            require(doctors[msg.sender].active, "Not an active doctor");
            require(_hasAllAccess(patient, msg.sender), "No access");
        }
        require(cidOwner[cid] == address(0), "Record exists");
        records[patient].push(Record(cid, msg.sender, block.timestamp, false));
        cidOwner[cid] = patient;
        emit RecordAdded(patient, msg.sender, cid, block.timestamp);
    }

    function amendRecord(uint256 index, string memory cid) public {
        require(index < records[msg.sender].length, "No record");
        require(!records[msg.sender][index].superseded, "Already amended");
        records[msg.sender][index].superseded = true;
        addRecord(msg.sender, cid);
    }

    function grantAccess(address doctor, string[] memory cids, uint256 expiresAt) public {
        require(patients[msg.sender].registered, "Not a patient");
        require(doctors[doctor].active, "Not an active doctor");
        require(expiresAt == 0 || expiresAt > block.timestamp, "Expiry in the past");
        for (uint256 i = 0; i < cids.length; i++) {
            require(cidOwner[cids[i]] == msg.sender, "Not your record");
            grants[msg.sender].push(Grant(cids[i], doctor, expiresAt, false));
            emit AccessGranted(msg.sender, doctor, cids[i], expiresAt);
        }
    }

    function grantAllAccess(address doctor, uint256 expiresAt) public {
        require(patients[msg.sender].registered, "Not a patient");
        require(doctors[doctor].active, "Not an active doctor");
        require(expiresAt == 0 || expiresAt > block.timestamp, "Expiry in the past");
        allAccess[msg.sender][doctor] = true;
        allAccessExpiry[msg.sender][doctor] = expiresAt;
        emit AllAccessGranted(msg.sender, doctor, expiresAt);
    }

    function updateAllAccessExpiry(address doctor, uint256 expiresAt) public {
        require(patients[msg.sender].registered, "Not a patient");
        require(doctors[doctor].active, "Not an active doctor");
        require(expiresAt == 0 || expiresAt > block.timestamp, "Expiry in the past");
        require(allAccess[msg.sender][doctor], "No all-records grant");
        allAccessExpiry[msg.sender][doctor] = expiresAt;
        emit AllAccessExpiryUpdated(msg.sender, doctor, expiresAt);
    }

    function revokeAccess(address doctor, string memory cid) public {
        bool found = false;
        for (uint256 i = 0; i < grants[msg.sender].length; i++) {
            Grant storage grant = grants[msg.sender][i];
            if (
                grant.doctor == doctor &&
                !grant.revoked &&
                keccak256(bytes(grant.cid)) == keccak256(bytes(cid))
            ) {
                grant.revoked = true;
                found = true;
            }
        }
        require(found, "No grant");
        emit AccessRevoked(msg.sender, doctor, cid);
    }

    function revokeAllAccess(address doctor) public {
        for (uint256 i = 0; i < grants[msg.sender].length; i++) {
            if (grants[msg.sender][i].doctor == doctor) grants[msg.sender][i].revoked = true;
        }
        allAccess[msg.sender][doctor] = false;
    }

    function canRead(address doctor, string memory cid) public view returns (bool) {
        address patient = cidOwner[cid];
        if (patient == address(0) || !doctors[doctor].active) return false;
        if (_hasAllAccess(patient, doctor)) return true;
        for (uint256 i = 0; i < grants[patient].length; i++) {
            Grant storage grant = grants[patient][i];
            if (
                grant.doctor == doctor &&
                !grant.revoked &&
                (grant.expiresAt == 0 || grant.expiresAt > block.timestamp) &&
                keccak256(bytes(grant.cid)) == keccak256(bytes(cid))
            ) return true;
        }
        return false;
    }

    function logAccess(string memory cid) public {
        require(canRead(msg.sender, cid), "No access");
        address patient = cidOwner[cid];
        accessLogs[patient].push(AccessLog(cid, msg.sender, block.timestamp));
        emit RecordAccessed(patient, msg.sender, cid, block.timestamp);
    }

    function getRecords(address patient) public view returns (Record[] memory) {
        return records[patient];
    }

    function _hasAllAccess(address patient, address doctor) internal view returns (bool) {
        uint256 expiry = allAccessExpiry[patient][doctor];
        return allAccess[patient][doctor] && (expiry == 0 || expiry > block.timestamp);
    }
}
