/** The stack that scripts/with-test-stack.ts started for this test run. */
export interface StackUnderTest {
  appUrl: string;
  rpcUrl: string;
  chainId: number;
  accounts: string[];
  databaseUrl: string;
  dataDir: string;
  appEnv: Record<string, string>;
  /** The app's build folder, for tests that start a second server from it. */
  distDir: string;
}

export function stackUnderTest(): StackUnderTest {
  const { TEST_APP_URL, TEST_RPC_URL, TEST_CHAIN_ID, TEST_ACCOUNTS, TEST_DATABASE_URL, TEST_DATA_DIR, TEST_APP_ENV } = process.env;
  if (!TEST_APP_URL || !TEST_RPC_URL || !TEST_ACCOUNTS || !TEST_DATABASE_URL || !TEST_DATA_DIR || !TEST_APP_ENV) {
    throw new Error("No test stack: run these tests through `npm run test:stack` (scripts/with-test-stack.ts).");
  }
  return {
    appUrl: TEST_APP_URL,
    rpcUrl: TEST_RPC_URL,
    chainId: Number(TEST_CHAIN_ID),
    accounts: JSON.parse(TEST_ACCOUNTS) as string[],
    databaseUrl: TEST_DATABASE_URL,
    dataDir: TEST_DATA_DIR,
    appEnv: JSON.parse(TEST_APP_ENV) as Record<string, string>,
    distDir: process.env.TEST_DIST_DIR || ".next-e2e",
  };
}
