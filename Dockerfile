# One image, a role per command: `api`, `worker` or `migrate` (see README.md, "Docker").
# The build stage's RUN steps are run as a script by test/system/image-build.test.ts, on this
# machine, and the result is started against a real stack there; keep them plain shell.

FROM node:22-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so that a code change does not reinstall them. The postinstall step generates
# the Prisma client, which needs the schema and its generator script.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/prisma-generate.ts ./scripts/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
# --omit=optional too: better-auth declares vitest as an optional peer, which would otherwise keep
# the test runner and its bundler in the image. No production role needs an optional package.
RUN npm prune --omit=dev --omit=optional

FROM node:22-bookworm-slim
ENV NODE_ENV=production TZ=UTC
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The image's own unprivileged user; the app writes nothing to disk.
USER node
EXPOSE 3000 3001
ENTRYPOINT ["node", "dist/scripts/tandem.js"]
CMD ["api"]
