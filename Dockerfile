# globaloffice: one static binary in a distroless image, run as non-root.
# Built by deploy/docker-compose.yml (context: the repository):
#   docker build -t globaloffice .
# Everything it serves is embedded (catalog, pages, mappings); state lives
# under GLOBALOFFICE_HOME (/data: the spool and the pseudonym key).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: a static binary, no libc needed at run time.
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/globaloffice ./cmd/globaloffice \
 && mkdir -p /out/data

# distroless/static: CA certificates and tzdata (the sites' time zones),
# no shell; nonroot is uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/globaloffice /usr/local/bin/globaloffice
COPY --from=build --chown=65532:65532 /out/data /data
ENV GLOBALOFFICE_HOME=/data \
    GLOBALOFFICE_SERVER_ADDR=0.0.0.0:8080
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/globaloffice"]
CMD ["serve"]
