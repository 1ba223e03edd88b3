// Browser-side chain use: web3 v4 over the wallet, one transactor, one error parser.
export { browserChain, type BrowserChain } from "./contracts";
export { ChainError, parseChainError, decodeRevert, REJECTED_MESSAGE } from "./errors";
export { transact, type TxStatus, type TxReceipt, type SendableMethod } from "./transactor";
export { addRecord, encryptionKeyOf, getAllRecords, isPatient, recordCount, registerPatient, type ChainRecord } from "./patient-contract";
