# The app image for docker-compose.yml: the Next.js standalone server, no dev tools.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Compiles the contracts (local solc) and writes lib/chain/generated/contracts.ts, then builds.
RUN npm run compile && NEXT_TELEMETRY_DISABLED=1 npx next build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 NEXT_TELEMETRY_DISABLED=1
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
COPY --from=build /app/public ./public
USER node
EXPOSE 3000
# 64 MB young-generation semi-spaces, as scripts/stack/app.ts starts `next start` (why: see there).
CMD ["node", "--max-semi-space-size=64", "server.js"]
