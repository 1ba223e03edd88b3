// Browser-side chain use: web3 v4 over the wallet, one transactor, one error parser, one module per contract.
// Each contract module is exported whole, so a function added to it is available here at once.
export { browserChain, type BrowserChain } from "./contracts";
export { ChainError, parseChainError, decodeRevert, REJECTED_MESSAGE } from "./errors";
export { transact, type TxStatus, type TxReceipt, type SendableMethod, type TxWallet } from "./transactor";
export { eventInReceipt, newRecordIdIn, sendFromAccount } from "./send";
export * from "./patient-contract";
export * from "./doctor-contract";
