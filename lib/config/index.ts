export { envSchema, DEV_MNEMONIC, type Env } from "./env-schema";
export { parseEnv, getEnv, ConfigError } from "./load-env";
