#!/usr/bin/env python3
"""A deterministic monorepo for benchmarks: N services, about 25 files each.

    python3 benches/monorepo.py OUT --services N [--seed S]

Each service has a Dockerfile, Kubernetes manifests (a Deployment, a Service, often a
ConfigMap and a HorizontalPodAutoscaler), a Backstage catalog-info.yaml, a package
manifest, often a workflow and Terraform, a README and source, test and asset files the
pack does not parse; about one in five breaks a golden-path rule somewhere. Service i
depends only on (seed, i), so a smaller corpus is a prefix of a larger one. The root has
the files a repository has (README, LICENSE, CODEOWNERS, dependabot) and a .gitignore
that hides each service's node_modules/. Standard library only.
"""
import argparse
import os
import random
import shutil

WORDS = ["api", "auth", "billing", "cart", "catalog", "checkout", "edge", "events",
         "feed", "gateway", "index", "ingest", "ledger", "mail", "media", "notify",
         "orders", "pay", "profile", "rank", "search", "ship", "stock", "users"]
ROLES = ["service", "worker", "consumer", "sync", "indexer", "producer", "web"]
LANGS = ["node", "python", "go"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def container(name, image, r, good):
    lines = [f"        - name: {name}", f"          image: {image}",
             "          ports:", f"            - containerPort: {r.choice([80, 8080, 3000])}"]
    if good or r.random() < 0.7:
        lines += ["          resources:", "            requests:", "              cpu: 100m",
                  "              memory: 128Mi", "            limits:", "              memory: 256Mi"]
    if good or r.random() < 0.6:
        lines += ["          livenessProbe:", "            httpGet: {path: /healthz, port: 8080}",
                  "          readinessProbe:", "            httpGet: {path: /ready, port: 8080}"]
    if good or r.random() < 0.5:
        lines += ["          securityContext:", "            runAsNonRoot: true",
                  "            allowPrivilegeEscalation: false",
                  "            readOnlyRootFilesystem: true",
                  "            capabilities: {drop: [ALL]}",
                  "            seccompProfile: {type: RuntimeDefault}"]
    return lines


def manifests(name, r, good):
    tag = "latest" if not good and r.random() < 0.2 else f"1.{r.randint(0, 30)}.{r.randint(0, 9)}"
    image = f"ghcr.io/acme/{name}:{tag}"
    containers = container(name, image, r, good)
    if r.random() < 0.3:
        containers += container("proxy", "envoyproxy/envoy:v1.29.1", r, good)
    docs = ["\n".join([
        "apiVersion: apps/v1", "kind: Deployment", "metadata:", f"  name: {name}",
        f"  namespace: {'default' if not good and r.random() < 0.1 else name}",
        "  labels:", f"    app: {name}"] + ([f"    owner: team-{name.split('-')[0]}"] if good or r.random() < 0.8 else []) + [
        "spec:", f"  replicas: {r.randint(1, 5)}", "  selector:", f"    matchLabels: {{app: {name}}}",
        "  template:", "    metadata:", f"      labels: {{app: {name}}}", "    spec:", "      containers:"]
        + containers)]
    docs.append("\n".join([
        "apiVersion: v1", "kind: Service", "metadata:", f"  name: {name}", f"  namespace: {name}",
        "spec:", f"  selector: {{app: {name}}}", "  ports:", "    - port: 80", "      targetPort: 8080"]))
    if r.random() < 0.6:
        docs.append("\n".join([
            "apiVersion: v1", "kind: ConfigMap", "metadata:", f"  name: {name}-config",
            f"  namespace: {name}", "data:"] + [f"  KEY_{k}: \"value-{r.randint(0, 999)}\"" for k in range(r.randint(3, 12))]))
    hpa = None
    if r.random() < 0.5:
        hpa = "\n".join([
            "apiVersion: autoscaling/v2", "kind: HorizontalPodAutoscaler", "metadata:", f"  name: {name}",
            f"  namespace: {name}", "spec:", "  scaleTargetRef:", "    apiVersion: apps/v1",
            "    kind: Deployment", f"    name: {name}", "  minReplicas: 2", f"  maxReplicas: {r.randint(4, 20)}"]) + "\n"
    return "\n---\n".join(docs) + "\n", hpa


def dockerfile(lang, r, good):
    base = {"node": "node:20.11-slim", "python": "python:3.12-slim", "go": "golang:1.22"}[lang]
    if not good and r.random() < 0.2:
        base = base.split(":")[0] + (":latest" if r.random() < 0.5 else "")
    lines = ["ARG VERSION=1.0.0", f"FROM {base} AS build", "WORKDIR /src", "COPY . .",
             {"node": "RUN npm ci && npm run build", "python": "RUN pip install --no-cache-dir .",
              "go": "RUN go build -o /app ./..."}[lang]]
    lines += ["FROM gcr.io/distroless/base-debian12:nonroot", "COPY --from=build /src /app"]
    if good or r.random() < 0.7:
        lines.append("USER 65532")
    if good or r.random() < 0.5:
        lines.append('HEALTHCHECK CMD ["/app/healthcheck"]')
    lines.append('ENTRYPOINT ["/app/run"]')
    return "\n".join(lines) + "\n"


def workflow(name, r, good):
    pin = "actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11" if good or r.random() < 0.5 else "actions/checkout@v4"
    return "\n".join([
        f"name: {name}", "on:", "  push:", f"    paths: [\"services/{name}/**\"]", "  pull_request:",
        "permissions:", "  contents: read", "jobs:", "  test:", "    runs-on: ubuntu-latest",
        "    timeout-minutes: 15", "    steps:", f"      - uses: {pin}",
        "        with: {persist-credentials: false}", f"      - run: make -C services/{name} test", ""])


def terraform(name, r, good):
    tags = "  tags = {\n    owner = \"platform\"\n    service = \"%s\"\n  }\n" % name if good or r.random() < 0.7 else ""
    return (f'resource "aws_s3_bucket" "{name.replace("-", "_")}" {{\n  bucket = "acme-{name}"\n{tags}}}\n\n'
            f'module "queue" {{\n  source  = "terraform-aws-modules/sqs/aws"\n  version = "4.1.0"\n  name    = "{name}"\n}}\n')


def service(out, i, seed, names):
    r = random.Random(f"{seed}-{i}")
    name = f"{r.choice(WORDS)}-{r.choice(ROLES)}"
    while name in names:
        name = f"{name}-{r.randint(2, 99)}"
    names.add(name)
    good = r.random() > 0.2
    lang = r.choice(LANGS)
    d = os.path.join(out, "services", name)
    k8s, hpa = manifests(name, r, good)
    write(f"{d}/deploy/k8s/deployment.yaml", k8s)
    if hpa:
        write(f"{d}/deploy/k8s/hpa.yaml", hpa)
    write(f"{d}/Dockerfile", dockerfile(lang, r, good))
    write(f"{d}/.dockerignore", "node_modules\n.git\n")
    owner = "" if not good and r.random() < 0.3 else f"  owner: team-{name.split('-')[0]}\n"
    write(f"{d}/catalog-info.yaml",
          f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
          f"  description: The {name} service\nspec:\n  type: service\n  lifecycle: production\n{owner}")
    write(f"{d}/README.md", f"# {name}\n\nOwned by team-{name.split('-')[0]}.\n")
    if lang == "node":
        write(f"{d}/package.json", '{\n  "name": "%s",\n  "version": "1.0.0",\n  "dependencies": {"express": "^4.19.2"}\n}\n' % name)
        write(f"{d}/package-lock.json", '{"name": "%s", "lockfileVersion": 3, "packages": {}}\n' % name)
        write(f"{d}/node_modules/express/package.json", '{"name": "express"}\n')
    elif lang == "python":
        write(f"{d}/pyproject.toml", f'[project]\nname = "{name}"\nversion = "1.0.0"\ndependencies = ["fastapi>=0.110"]\n')
    else:
        write(f"{d}/go.mod", f"module github.com/acme/{name}\n\ngo 1.22\n")
    if r.random() < 0.4:
        write(os.path.join(out, ".github", "workflows", f"{name}.yml"), workflow(name, r, good))
    if r.random() < 0.5:
        write(f"{d}/infra/main.tf", terraform(name, r, good))
        write(f"{d}/infra/variables.tf", 'variable "region" {\n  default = "eu-west-1"\n}\n')
    ext = {"node": "js", "python": "py", "go": "go"}[lang]
    for k in range(r.randint(6, 12)):
        write(f"{d}/src/module_{k}.{ext}", "\n".join(f"// line {n} of {name}" for n in range(r.randint(20, 200))) + "\n")
    for k in range(r.randint(2, 4)):
        write(f"{d}/tests/test_{k}.{ext}", f"// tests of module {k}\n")
    write(f"{d}/assets/logo.png", "\x89PNG\r\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    names = set()
    for i in range(args.services):
        service(args.out, i, args.seed, names)
    write(os.path.join(args.out, "README.md"), "# acme monorepo\n")
    write(os.path.join(args.out, "LICENSE"), "MIT License\n")
    write(os.path.join(args.out, "SECURITY.md"), "Report vulnerabilities to security@acme.example.\n")
    write(os.path.join(args.out, ".gitignore"), "node_modules/\n")
    write(os.path.join(args.out, ".github", "CODEOWNERS"), "* @acme/platform\n")
    write(os.path.join(args.out, ".github", "dependabot.yml"),
          "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n"
          "    schedule: {interval: weekly}\n  - package-ecosystem: docker\n    directory: /\n"
          "    schedule: {interval: weekly}\n")
    write(os.path.join(args.out, "catalog-info.yaml"),
          "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: acme\nspec:\n  owner: platform\n")


if __name__ == "__main__":
    main()
