//! A generated monorepo for the tests of sharding and the cache, and for
//! `benches/cache.rs`: `services` service directories with Kubernetes manifests,
//! Dockerfiles, Backstage entities, package manifests, Terraform and workflows, some
//! with findings of the built-in pack, inline suppressions (used, unused, expired,
//! malformed), test data, files that do not parse, plus a root `goldenpath.toml` with
//! rule settings and `[[ignore]]` entries. The same `seed` gives the same tree.

use std::path::Path;

/// A small deterministic random number generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write");
}

/// Writes the monorepo into `root` (a git repository: `.git` is created).
pub fn generate(root: &Path, services: usize, seed: u64) {
    let mut rng = Rng::new(seed);
    std::fs::create_dir_all(root.join(".git")).expect("mkdir .git");
    write(
        root,
        "README.md",
        "# Monorepo\n\nServices of the platform.\n",
    );
    write(root, "LICENSE", "MIT License\n");
    write(root, ".gitignore", "node_modules/\n*.log\n");
    write(
        root,
        "goldenpath.toml",
        r#"# Settings of the generated monorepo.
[rules]
GP-K8S-009 = "off"
GP-DOCKER-006 = "warning"

[[ignore]]
files = ["services/s1/**"]
rules = ["GP-K8S-001"]
reason = "sized by the platform team"

[[ignore]]
files = ["legacy/**"]
rules = ["GP-K8S-*"]
reason = "nothing matches here"
"#,
    );
    let mut owners = String::from("* @acme/platform\n");
    for i in 0..services {
        owners.push_str(&format!("/services/s{i}/ @acme/team-{}\n", i % 7));
    }
    write(root, ".github/CODEOWNERS", &owners);
    write(
        root,
        ".github/workflows/ci.yml",
        "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n",
    );
    for i in 0..services {
        service(root, i, &mut rng);
    }
}

fn service(root: &Path, i: usize, rng: &mut Rng) {
    let dir = format!("services/s{i}");
    let image = match rng.below(4) {
        0 => format!("registry.example.com/s{i}:latest"),
        1 => format!("registry.example.com/s{i}"),
        _ => format!("registry.example.com/s{i}:1.{}.0", rng.below(9)),
    };
    let suppression = match rng.below(10) {
        0 => "  # goldenpath: ignore[GP-K8S-008] -- pinned by the release job\n",
        1 => "  # goldenpath: ignore[GP-K8S-099] -- a typo\n",
        2 => "  # goldenpath: ignore[GP-K8S-003] until=2020-01-01 -- expired\n",
        3 => "  # goldenpath: ignroe[GP-K8S-003]\n",
        _ => "",
    };
    let resources = if rng.one_in(2) {
        "        resources:\n          requests: {cpu: 100m, memory: 128Mi}\n          limits: {memory: 256Mi}\n"
    } else {
        ""
    };
    let security = if rng.one_in(3) {
        "        securityContext:\n          runAsNonRoot: true\n          allowPrivilegeEscalation: false\n          readOnlyRootFilesystem: true\n          capabilities: {drop: [ALL]}\n"
    } else if rng.one_in(4) {
        "        securityContext:\n          privileged: true\n"
    } else {
        ""
    };
    let deployment = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: s{i}\n  namespace: team-{team}\n  labels: {{app: s{i}}}\nspec:\n  replicas: {replicas}\n  template:\n    spec:\n      containers:\n      - name: app\n{suppression}        image: {image}\n{resources}{security}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\n  namespace: {namespace}\nspec:\n  ports:\n  - port: 80\n",
        team = i % 7,
        replicas = 1 + rng.below(3),
        namespace = if rng.one_in(5) { "default".to_string() } else { format!("team-{}", i % 7) },
    );
    write(root, &format!("{dir}/deploy/deployment.yaml"), &deployment);
    let base = match rng.below(3) {
        0 => "node:latest".to_string(),
        1 => "node".to_string(),
        _ => format!("node:20.{}", rng.below(9)),
    };
    let user = if rng.one_in(2) { "USER 1000\n" } else { "" };
    let add = if rng.one_in(4) {
        "ADD app.tar.gz /app\n"
    } else {
        "COPY . /app\n"
    };
    write(
        root,
        &format!("{dir}/Dockerfile"),
        &format!(
            "FROM {base}\nWORKDIR /app\n{add}RUN npm ci\n{user}CMD [\"node\", \"server.js\"]\n"
        ),
    );
    write(
        root,
        &format!("{dir}/catalog-info.yaml"),
        &format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: s{i}\nspec:\n  type: service\n  lifecycle: production\n  owner: {}\n",
            if rng.one_in(6) { "nobody".to_string() } else { format!("team-{}", i % 7) }
        ),
    );
    write(
        root,
        &format!("{dir}/README.md"),
        &format!("# s{i}\n\nService {i}.\n"),
    );
    if rng.one_in(2) {
        write(
            root,
            &format!("{dir}/package.json"),
            &format!("{{\n  \"name\": \"s{i}\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {{\"express\": \"^4.18.0\"}}\n}}\n"),
        );
    }
    if rng.one_in(3) {
        write(
            root,
            &format!("{dir}/infra/main.tf"),
            &format!(
                "module \"net\" {{\n  source = \"git::https://example.com/net.git\"\n}}\n\nresource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"s{i}-data\"\n}}\n"
            ),
        );
    }
    if rng.one_in(4) {
        write(
            root,
            &format!("{dir}/tests/fixtures/pod.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: fixture\nspec:\n  containers:\n  - name: c\n    image: busybox:latest\n",
        );
    }
    if rng.one_in(25) {
        write(
            root,
            &format!("{dir}/deploy/broken.yaml"),
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  key: [unclosed\n",
        );
    }
    if rng.one_in(8) {
        write(
            root,
            &format!("{dir}/config/settings.json"),
            &format!(
                "{{\"service\": \"s{i}\", \"replicas\": {}}}\n",
                rng.below(5)
            ),
        );
    }
    for k in 0..(1 + rng.below(3)) {
        write(
            root,
            &format!("{dir}/src/module{k}.py"),
            &format!(
                "def handler_{k}(event):\n    return {{\"status\": {}}}\n",
                200 + k
            ),
        );
    }
}
