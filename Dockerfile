# syntax=docker/dockerfile:1
# The server image: build with the SDK, run on the small ASP.NET Core runtime image as non-root.
#   docker build -t proxchat-scaled .
#   docker run -p 8080:8080 proxchat-scaled                       # one node, in memory
#   docker run -p 8080:8080 -e ConnectionStrings__Redis=redis:6379 proxchat-scaled

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so the layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Proximity/ProxChat.Proximity.csproj src/Proximity/
COPY src/Transport/ProxChat.Transport.csproj src/Transport/
COPY src/Host/ProxChat.Host.csproj src/Host/
RUN dotnet restore src/Host/ProxChat.Host.csproj
COPY src/ src/
# The JavaScript client the demo page imports (linked into wwwroot by the Host project).
COPY clients/js/src/ clients/js/src/
RUN dotnet publish src/Host/ProxChat.Host.csproj --configuration Release --no-restore --output /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
# OCI labels; revision and created come from the build:
#   docker build --build-arg REVISION="$(git rev-parse HEAD)" --build-arg CREATED="$(date -u +%FT%TZ)" -t proxchat-scaled .
ARG VERSION=0.9.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="ProxChat.Scaled" \
      org.opencontainers.image.description="Signaling server for proximity voice chat: who is near whom, and WebRTC offer/answer/ICE relay, on one node or many sharing Redis" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.vendor="ProxChat.Scaled contributors" \
      org.opencontainers.image.base.name="mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled"
WORKDIR /app
COPY --from=build /app ./
COPY LICENSE ./
# The chiseled image has no shell and runs as the non-root "app" user (uid 1654) by default;
# ASPNETCORE_HTTP_PORTS=8080 is set by the base image and the server listens there.
USER app
# A 32 MB gen0 budget: about one collection every two seconds instead of several a second at
# 5,000 clients, so far fewer pauses that stop every connection (docs/performance-history.md).
# The GC reads this from the environment only.
ENV DOTNET_GCgen0size=0x2000000
# Inline socket I/O: each connection's code runs on the socket thread that saw its data, not handed
# to the thread pool; ~15% less CPU per node at 5,000 clients (README, Configuration). The runtime
# reads this from the environment only; the server turns Kestrel's half on from it.
ENV DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
EXPOSE 8080
# Alive, asked by the server's own binary (the image has no curl) on the image's port 8080, whatever
# else ASPNETCORE_HTTP_PORTS lists (docker-compose.yml adds 9090 for metrics). A container moved to
# another port gives its own check (docker run --health-cmd, compose's healthcheck), as
# docker-compose.yml does to gate its balancer on /readyz.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["dotnet", "ProxChat.Host.dll", "healthcheck", "http://127.0.0.1:8080/healthz"]
# SIGTERM (docker stop, Kubernetes) drains: sockets close with 1001, the node leaves Redis.
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "ProxChat.Host.dll"]
