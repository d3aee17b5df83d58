# drainsim in a container: the image the README's Kubernetes sweep Job runs.
#   docker build -t drainsim:0.1.0 .
#   docker run --rm -v "$PWD/out:/out" drainsim:0.1.0 run hard-cut --out /out/hard-cut
FROM node:20-bookworm-slim AS build
WORKDIR /opt/drainsim
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY bin ./bin
COPY sim ./sim
COPY reports ./reports
COPY bench ./bench
COPY scripts ./scripts
COPY scenarios ./scenarios
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /opt/drainsim
COPY --from=build /opt/drainsim/package.json ./
COPY --from=build /opt/drainsim/node_modules ./node_modules
COPY --from=build /opt/drainsim/bin ./bin
COPY --from=build /opt/drainsim/dist ./dist
COPY --from=build /opt/drainsim/scenarios ./scenarios
COPY --from=build /opt/drainsim/schema ./schema
RUN ln -s /opt/drainsim/bin/drainsim.js /usr/local/bin/drainsim
# Runs as the image's unprivileged user; outputs go wherever --out points (a mounted volume).
USER node
WORKDIR /work
ENTRYPOINT ["drainsim"]
CMD ["--help"]
