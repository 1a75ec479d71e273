# The compose smoke run's application image: the runtime stage of the real Dockerfile (src/Silo/Dockerfile or
# src/AdminApi/Dockerfile, built with --target runtime) plus the output `dotnet publish` wrote on the host. The build context
# is that output. A real deployment builds the real Dockerfiles whole; this only saves the smoke run a publish per image.
ARG RUNTIME
FROM ${RUNTIME}
COPY . /app/
