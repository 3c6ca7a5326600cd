/**
 * Offline review of the deployment: every YAML document under k8s/ and skaffold.yaml is parsed,
 * every Kubernetes object is validated against its `kubernetes-models` schema, and the rules a
 * reviewer relies on are checked. Each rule is a function returning the problems it finds; the
 * second half of this file breaks a copy of the manifests once per rule and expects that rule to
 * complain, so a rule that can no longer fail is caught too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { ServiceAccount, type IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { SERVICE_NAMES, type ServiceName } from '../lib/config/topology.js';

const K8S_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_DIR = dirname(K8S_DIR);
const GRPC_PORT = 50051;
const METRICS_PORT = 9464;
const SHARED_CONFIG = 'ecommerce-config';
const DEV_SECRETS_FILE = 'config/dev-secrets.yaml';
/** Env names that hold credentials: they must come from a Secret, never a literal or a ConfigMap. */
const SECRET_LIKE = /PASSWORD|SECRET|PRIVATE|TOKEN|CREDENTIAL|_KEYS?$|DATABASE_URL|ADMIN_URL/;

// ---------------------------------------------------------------------------------------------
// Loading

interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** One Kubernetes object and the file (relative to k8s/) it came from. */
interface Doc {
  file: string;
  obj: KubeObject;
}

interface Kustomization {
  resources?: string[];
  [field: string]: unknown;
}

interface SkaffoldArtifact {
  image?: string;
  context?: string;
  docker?: { dockerfile?: string; buildArgs?: Record<string, string> };
}

interface SkaffoldConfig {
  apiVersion?: string;
  kind?: string;
  build?: { artifacts?: SkaffoldArtifact[] };
  manifests?: { kustomize?: { paths?: string[] } };
  deploy?: { kubectl?: unknown };
}

interface Manifests {
  /** Every YAML file under k8s/, relative to it, with `/` separators. */
  files: string[];
  docs: Doc[];
  parseErrors: string[];
  kustomization: Kustomization;
  skaffold: SkaffoldConfig;
}

/**
 * kubectl reads YAML 1.1 (`on`, `yes` are booleans there, `.` a number), so manifests are parsed the
 * way it does; skaffold reads YAML 1.2.
 */
function parseYaml(
  file: string,
  text: string,
  version: '1.1' | '1.2' = '1.1',
): { values: unknown[]; errors: string[] } {
  const values: unknown[] = [];
  const errors: string[] = [];
  for (const document of parseAllDocuments(text, { version })) {
    for (const error of document.errors) errors.push(`${file}: ${error.message}`);
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) values.push(value);
  }
  return { values, errors };
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

function loadManifests(): Manifests {
  const manifests: Manifests = { files: [], docs: [], parseErrors: [], kustomization: {}, skaffold: {} };
  for (const path of yamlFilesUnder(K8S_DIR)) {
    const file = relative(K8S_DIR, path).split(sep).join('/');
    const { values, errors } = parseYaml(file, readFileSync(path, 'utf8'));
    manifests.files.push(file);
    manifests.parseErrors.push(...errors);
    if (file === 'kustomization.yaml') manifests.kustomization = (values[0] ?? {}) as Kustomization;
    else if (!file.endsWith('/kustomization.yaml')) {
      manifests.docs.push(...values.map((obj) => ({ file, obj: obj as KubeObject })));
    }
  }
  const skaffold = parseYaml('skaffold.yaml', readFileSync(join(REPO_DIR, 'skaffold.yaml'), 'utf8'), '1.2');
  manifests.parseErrors.push(...skaffold.errors);
  manifests.skaffold = (skaffold.values[0] ?? {}) as SkaffoldConfig;
  return manifests;
}

// ---------------------------------------------------------------------------------------------
// Looking things up

const MODELS: Record<string, (data: unknown) => { validate(): void }> = {
  'v1/ConfigMap': (data) => new ConfigMap(data as IConfigMap),
  'v1/Secret': (data) => new Secret(data as ISecret),
  'v1/Service': (data) => new Service(data as IService),
  'v1/ServiceAccount': (data) => new ServiceAccount(data as IServiceAccount),
  'apps/v1/Deployment': (data) => new Deployment(data as IDeployment),
  'apps/v1/StatefulSet': (data) => new StatefulSet(data as IStatefulSet),
  'batch/v1/Job': (data) => new Job(data as IJob),
};

function where(doc: Doc): string {
  return `${doc.file} ${doc.obj.kind ?? '?'}/${doc.obj.metadata?.name ?? '?'}`;
}

function objects(m: Manifests, kind: string): Doc[] {
  return m.docs.filter((doc) => doc.obj.kind === kind);
}

function find(m: Manifests, kind: string, name: string): Doc | undefined {
  return m.docs.find((doc) => doc.obj.kind === kind && doc.obj.metadata?.name === name);
}

function podSpecOf(doc: Doc): IPodSpec | undefined {
  const spec = doc.obj.spec as { template?: { spec?: IPodSpec } } | undefined;
  return spec?.template?.spec;
}

/** Deployments, StatefulSets and Jobs: everything that runs pods. */
function workloads(m: Manifests): Array<{ doc: Doc; pod: IPodSpec }> {
  return m.docs
    .filter((doc) => ['Deployment', 'StatefulSet', 'Job'].includes(doc.obj.kind ?? ''))
    .map((doc) => ({ doc, pod: podSpecOf(doc) ?? { containers: [] } }));
}

function allContainers(pod: IPodSpec): IContainer[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

function serverContainer(deployment: Doc): IContainer | undefined {
  return podSpecOf(deployment)?.containers?.find((container) => container.name === 'server');
}

function envVar(container: IContainer, name: string) {
  return container.env?.find((variable) => variable.name === name);
}

function envName(service: ServiceName): string {
  return service.toUpperCase();
}

/** Each service's Deployment, or a problem saying it is missing. */
function eachServiceDeployment(
  m: Manifests,
  check: (service: ServiceName, deployment: Doc, server: IContainer) => string[],
): string[] {
  return SERVICE_NAMES.flatMap((service) => {
    const deployment = find(m, 'Deployment', service);
    if (!deployment) return [`no Deployment named ${service}`];
    const server = serverContainer(deployment);
    if (!server) return [`${where(deployment)}: no container named "server"`];
    return check(service, deployment, server);
  });
}

// ---------------------------------------------------------------------------------------------
// The rules

function everyDocumentParses(m: Manifests): string[] {
  return m.parseErrors;
}

function everyObjectIsKnownAndValid(m: Manifests): string[] {
  return m.docs.flatMap((doc) => {
    const model = MODELS[`${doc.obj.apiVersion}/${doc.obj.kind}`];
    if (!model) return [`${where(doc)}: unknown apiVersion/kind ${doc.obj.apiVersion}/${doc.obj.kind}`];
    if (!doc.obj.metadata?.name) return [`${where(doc)}: no metadata.name`];
    try {
      model(doc.obj).validate();
      return [];
    } catch (error) {
      return [`${where(doc)}: ${(error as Error).message}`];
    }
  });
}

function eachServiceHasItsOwnFile(m: Manifests): string[] {
  const problems = SERVICE_NAMES.flatMap((service) => {
    const file = `services/${service}.yaml`;
    const kinds = m.docs
      .filter((doc) => doc.file === file)
      .map((doc) => `${doc.obj.kind}/${doc.obj.metadata?.name}`)
      .sort();
    const expected = [`Deployment/${service}`, `Service/${service}`, `ServiceAccount/${service}`];
    return JSON.stringify(kinds) === JSON.stringify(expected)
      ? []
      : [`${file} holds [${kinds.join(', ')}], expected [${expected.join(', ')}]`];
  });
  const strays = m.files.filter(
    (file) =>
      file.startsWith('services/') && !SERVICE_NAMES.some((service) => file === `services/${service}.yaml`),
  );
  return [...problems, ...strays.map((file) => `${file} is not one of the ten services`)];
}

function everyServiceExposesGrpc(m: Manifests): string[] {
  return SERVICE_NAMES.flatMap((service) => {
    const svc = find(m, 'Service', service);
    const deployment = find(m, 'Deployment', service);
    if (!svc || !deployment) return [`${service}: Service or Deployment missing`];
    const spec = (svc.obj as IService).spec ?? {};
    const problems: string[] = [];
    if ((spec.type ?? 'ClusterIP') !== 'ClusterIP')
      problems.push(`${where(svc)}: type ${spec.type}, not ClusterIP`);
    const grpc = spec.ports?.find((port) => port.name === 'grpc');
    if (grpc?.port !== GRPC_PORT) problems.push(`${where(svc)}: no port named grpc = ${GRPC_PORT}`);
    else if (grpc.targetPort !== 'grpc' && grpc.targetPort !== GRPC_PORT) {
      problems.push(`${where(svc)}: port grpc targets ${grpc.targetPort}, not the container's grpc port`);
    }
    const podLabels = (deployment.obj as IDeployment).spec?.template.metadata?.labels ?? {};
    const selector = spec.selector ?? {};
    if (Object.keys(selector).length === 0) problems.push(`${where(svc)}: no selector`);
    for (const [key, value] of Object.entries(selector)) {
      if (podLabels[key] !== value)
        problems.push(`${where(svc)}: selector ${key}=${value} matches no pod of ${service}`);
    }
    const matchLabels = (deployment.obj as IDeployment).spec?.selector.matchLabels ?? {};
    for (const [key, value] of Object.entries(matchLabels)) {
      if (podLabels[key] !== value)
        problems.push(`${where(deployment)}: selector ${key}=${value} misses its own pods`);
    }
    return problems;
  });
}

function everyServerIsProbedOverGrpc(m: Manifests): string[] {
  return eachServiceDeployment(m, (_service, deployment, server) => {
    const problems: string[] = [];
    const probes: Array<[string, IProbe | undefined]> = [
      ['startupProbe', server.startupProbe],
      ['readinessProbe', server.readinessProbe],
      ['livenessProbe', server.livenessProbe],
    ];
    for (const [name, probe] of probes) {
      if (probe?.grpc?.port !== GRPC_PORT)
        problems.push(`${where(deployment)}: ${name} is not grpc on ${GRPC_PORT}`);
    }
    const ports = server.ports ?? [];
    if (!ports.some((port) => port.name === 'grpc' && port.containerPort === GRPC_PORT)) {
      problems.push(`${where(deployment)}: no container port grpc = ${GRPC_PORT}`);
    }
    if (!ports.some((port) => port.name === 'metrics' && port.containerPort === METRICS_PORT)) {
      problems.push(`${where(deployment)}: no container port metrics = ${METRICS_PORT}`);
    }
    return problems;
  });
}

function everyPodIsLockedDown(m: Manifests): string[] {
  return workloads(m).flatMap(({ doc, pod }) => {
    const problems: string[] = [];
    if (pod.automountServiceAccountToken !== false) {
      problems.push(`${where(doc)}: automountServiceAccountToken is not false`);
    }
    for (const container of allContainers(pod)) {
      const at = `${where(doc)} container ${container.name}`;
      const own = container.securityContext ?? {};
      const podContext = pod.securityContext ?? {};
      if ((own.runAsNonRoot ?? podContext.runAsNonRoot) !== true)
        problems.push(`${at}: runAsNonRoot is not true`);
      if ((own.runAsUser ?? podContext.runAsUser) === 0) problems.push(`${at}: runs as uid 0`);
      if (own.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
      if (own.allowPrivilegeEscalation !== false)
        problems.push(`${at}: allowPrivilegeEscalation is not false`);
      if (own.privileged === true) problems.push(`${at}: privileged`);
      if (!own.capabilities?.drop?.includes('ALL')) problems.push(`${at}: capabilities do not drop ALL`);
      if (own.capabilities?.add?.length)
        problems.push(`${at}: adds capabilities ${own.capabilities.add.join(', ')}`);
      if ((own.seccompProfile ?? podContext.seccompProfile)?.type !== 'RuntimeDefault') {
        problems.push(`${at}: seccomp profile is not RuntimeDefault`);
      }
    }
    return problems;
  });
}

function everyContainerHasRequestsAndLimits(m: Manifests): string[] {
  return workloads(m).flatMap(({ doc, pod }) =>
    allContainers(pod).flatMap((container) => {
      const missing = (['requests', 'limits'] as const).flatMap((bound) =>
        (['cpu', 'memory'] as const)
          .filter((resource) => container.resources?.[bound]?.[resource] === undefined)
          .map((resource) => `${bound}.${resource}`),
      );
      return missing.length ? [`${where(doc)} container ${container.name}: no ${missing.join(', ')}`] : [];
    }),
  );
}

function everyServicePodHasWritableTmp(m: Manifests): string[] {
  return eachServiceDeployment(m, (_service, deployment) => {
    const pod = podSpecOf(deployment) ?? { containers: [] };
    const problems: string[] = [];
    for (const container of allContainers(pod)) {
      const mount = container.volumeMounts?.find((volumeMount) => volumeMount.mountPath === '/tmp');
      const volume = pod.volumes?.find((candidate) => candidate.name === mount?.name);
      if (!volume?.emptyDir)
        problems.push(`${where(deployment)} container ${container.name}: no emptyDir at /tmp`);
    }
    return problems;
  });
}

function sharedConfigIsComplete(m: Manifests): string[] {
  const config = find(m, 'ConfigMap', SHARED_CONFIG);
  if (!config) return [`no ConfigMap ${SHARED_CONFIG}`];
  const data = (config.obj as IConfigMap).data ?? {};
  const expected: Record<string, string | RegExp> = {
    NODE_ENV: 'production',
    GRPC_HOST: '0.0.0.0',
    NATS_URL: /^nats:\/\/\S+:\d+$/,
    METRICS_PORT: String(METRICS_PORT),
    // Prometheus scrapes the pod's address; outside a pod /metrics listens on loopback only.
    METRICS_HOST: '0.0.0.0',
    LOG_LEVEL: /^(fatal|error|warn|info|debug|trace)$/,
    ...Object.fromEntries(
      SERVICE_NAMES.map((service) => [`${envName(service)}_GRPC_ADDR`, `${service}:${GRPC_PORT}`]),
    ),
  };
  return Object.entries(expected).flatMap(([key, want]) => {
    const value = data[key];
    const ok = typeof want === 'string' ? value === want : value !== undefined && want.test(value);
    return ok ? [] : [`${where(config)}: ${key} is ${JSON.stringify(value)}, expected ${want}`];
  });
}

function everyServerGetsItsSettings(m: Manifests): string[] {
  return eachServiceDeployment(m, (service, deployment, server) => {
    const at = where(deployment);
    const problems: string[] = [];
    if (!server.envFrom?.some((source) => source.configMapRef?.name === SHARED_CONFIG)) {
      problems.push(`${at}: env not loaded from ConfigMap ${SHARED_CONFIG}`);
    }
    if (envVar(server, 'SERVICE')?.value !== service) problems.push(`${at}: SERVICE is not ${service}`);
    const port = `${envName(service)}_GRPC_PORT`;
    if (envVar(server, port)?.value !== String(GRPC_PORT))
      problems.push(`${at}: ${port} is not ${GRPC_PORT}`);
    const secretEnv = [
      `${envName(service)}_DATABASE_URL`,
      'SERVICE_CLIENT_SECRET',
      ...(service === 'auth' ? ['AUTH_JWT_PRIVATE_KEYS', 'AUTH_SERVICE_MASTER_SECRET'] : []),
      ...(service === 'payment' ? ['PAYMENT_VAULT_KEYS'] : []),
      ...(service === 'shipping' ? ['SHIPPING_CARRIER_KEYS'] : []),
    ];
    for (const name of secretEnv) {
      if (!envVar(server, name)?.valueFrom?.secretKeyRef)
        problems.push(`${at}: ${name} does not come from a Secret`);
    }
    return problems;
  });
}

/** Every Secret or ConfigMap a pod reads is defined here, with the key it reads. */
function everyReferenceResolves(m: Manifests): string[] {
  const keysOf = (kind: string, name: string): string[] | undefined => {
    const doc = find(m, kind, name);
    if (!doc) return undefined;
    const obj = doc.obj as { data?: Record<string, string>; stringData?: Record<string, string> };
    return [...Object.keys(obj.data ?? {}), ...Object.keys(obj.stringData ?? {})];
  };
  return workloads(m).flatMap(({ doc, pod }) =>
    allContainers(pod).flatMap((container) => {
      const at = `${where(doc)} container ${container.name}`;
      const problems: string[] = [];
      for (const source of container.envFrom ?? []) {
        const name = source.configMapRef?.name ?? source.secretRef?.name ?? '';
        if (!keysOf(source.configMapRef ? 'ConfigMap' : 'Secret', name))
          problems.push(`${at}: envFrom ${name} is undefined`);
      }
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
        if (!ref) continue;
        const kind = variable.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap';
        if (!keysOf(kind, ref.name ?? '')?.includes(ref.key)) {
          problems.push(
            `${at}: ${variable.name} reads ${kind} ${ref.name} key ${ref.key}, which is not defined`,
          );
        }
      }
      return problems;
    }),
  );
}

function noSecretOutsideTheDevSecrets(m: Manifests): string[] {
  const secrets = objects(m, 'Secret').flatMap((doc) => {
    if (doc.file !== DEV_SECRETS_FILE) return [`${where(doc)}: Secrets belong in ${DEV_SECRETS_FILE} only`];
    return doc.obj.metadata?.labels?.['ecommerce.dev/development-only'] === 'true'
      ? []
      : [`${where(doc)}: not labelled ecommerce.dev/development-only`];
  });
  const literals = workloads(m).flatMap(({ doc, pod }) =>
    allContainers(pod).flatMap((container) =>
      (container.env ?? [])
        .filter((variable) => SECRET_LIKE.test(variable.name) && variable.value !== undefined)
        .map((variable) => `${where(doc)} container ${container.name}: ${variable.name} is a literal`),
    ),
  );
  const inConfigMaps = objects(m, 'ConfigMap').flatMap((doc) =>
    Object.keys((doc.obj as IConfigMap).data ?? {})
      .filter((key) => SECRET_LIKE.test(key))
      .map((key) => `${where(doc)}: ${key} looks secret, put it in a Secret`),
  );
  return [...secrets, ...literals, ...inConfigMaps];
}

function migrationsRunInAnInitContainer(m: Manifests): string[] {
  return eachServiceDeployment(m, (service, deployment, server) => {
    const migrate = podSpecOf(deployment)?.initContainers?.find((container) => container.name === 'migrate');
    if (!migrate) return [`${where(deployment)}: no init container named migrate`];
    const problems: string[] = [];
    const commandLine = [...(migrate.command ?? []), ...(migrate.args ?? [])].join(' ');
    if (commandLine !== `node dist/scripts/migrate.js ${service}`) {
      problems.push(
        `${where(deployment)}: migrate runs "${commandLine}", not node dist/scripts/migrate.js ${service}`,
      );
    }
    if (migrate.image !== server.image)
      problems.push(`${where(deployment)}: migrate image differs from the server's`);
    const name = `${envName(service)}_DATABASE_URL`;
    const ref = (container: IContainer) =>
      JSON.stringify(envVar(container, name)?.valueFrom?.secretKeyRef ?? null);
    if (ref(migrate) === 'null' || ref(migrate) !== ref(server)) {
      problems.push(`${where(deployment)}: migrate does not read ${name} from the server's Secret`);
    }
    return problems;
  });
}

function everyServiceRunsItsOwnImage(m: Manifests): string[] {
  return eachServiceDeployment(m, (service, deployment, server) =>
    server.image === `ecommerce-${service}`
      ? []
      : [`${where(deployment)}: image ${server.image}, not ecommerce-${service}`],
  );
}

function infrastructureIsThere(m: Manifests): string[] {
  const problems: string[] = [];
  for (const name of ['postgres', 'nats']) {
    const statefulSet = find(m, 'StatefulSet', name);
    if (!statefulSet) problems.push(`no StatefulSet ${name}`);
    else if (!(statefulSet.obj as IStatefulSet).spec?.volumeClaimTemplates?.length) {
      problems.push(`${where(statefulSet)}: no volumeClaimTemplates`);
    }
    if (!find(m, 'Service', name)) problems.push(`no Service ${name}`);
  }
  const natsConfig = Object.values(
    (find(m, 'ConfigMap', 'nats-config')?.obj as IConfigMap | undefined)?.data ?? {},
  );
  if (!natsConfig.some((text) => /^\s*jetstream\s*[{:]/m.test(text)))
    problems.push('NATS config does not enable JetStream');
  const job = find(m, 'Job', 'create-databases');
  if (!job) problems.push('no Job create-databases');
  else {
    const text = JSON.stringify(podSpecOf(job)?.containers);
    for (const service of SERVICE_NAMES) {
      if (!new RegExp(`\\b${service}_db\\b`).test(text))
        problems.push(`${where(job)}: does not create ${service}_db`);
    }
  }
  return problems;
}

function kustomizationListsEveryFile(m: Manifests): string[] {
  const listed = m.kustomization.resources ?? [];
  // A folder with its own kustomization (an overlay or component) is not part of the root list.
  const nested = m.files
    .filter((file) => file.endsWith('/kustomization.yaml'))
    .map((file) => file.slice(0, -'kustomization.yaml'.length));
  const expected = m.files.filter(
    (file) => file !== 'kustomization.yaml' && !nested.some((folder) => file.startsWith(folder)),
  );
  return [
    ...expected
      .filter((file) => !listed.includes(file))
      .map((file) => `kustomization.yaml does not list ${file}`),
    ...listed
      .filter((file) => !m.files.includes(file))
      .map((file) => `kustomization.yaml lists missing ${file}`),
    ...listed
      .filter((file, index) => listed.indexOf(file) !== index)
      .map((file) => `kustomization.yaml lists ${file} twice`),
  ];
}

function skaffoldBuildsEachServiceOnce(m: Manifests): string[] {
  const { skaffold } = m;
  const problems: string[] = [];
  if (!/^skaffold\/v4/.test(skaffold.apiVersion ?? '') || skaffold.kind !== 'Config') {
    problems.push(`skaffold.yaml: ${skaffold.apiVersion}/${skaffold.kind} is not a skaffold/v4 Config`);
  }
  const artifacts = skaffold.build?.artifacts ?? [];
  const expectedImages = SERVICE_NAMES.map((service) => `ecommerce-${service}`);
  for (const artifact of artifacts) {
    if (!expectedImages.includes(artifact.image ?? ''))
      problems.push(`skaffold.yaml: unexpected artifact ${artifact.image}`);
  }
  for (const service of SERVICE_NAMES) {
    const matching = artifacts.filter((artifact) => artifact.image === `ecommerce-${service}`);
    if (matching.length !== 1) {
      problems.push(`skaffold.yaml: ${matching.length} artifacts for ecommerce-${service}, expected 1`);
      continue;
    }
    const [artifact] = matching as [SkaffoldArtifact];
    if ((artifact.context ?? '.') !== '.')
      problems.push(`skaffold.yaml: ${artifact.image} context is not the root`);
    if ((artifact.docker?.dockerfile ?? 'Dockerfile') !== 'Dockerfile') {
      problems.push(`skaffold.yaml: ${artifact.image} does not use the root Dockerfile`);
    }
    if (artifact.docker?.buildArgs?.SERVICE !== service) {
      problems.push(`skaffold.yaml: ${artifact.image} buildArgs.SERVICE is not ${service}`);
    }
  }
  if (!skaffold.manifests?.kustomize?.paths?.includes('k8s'))
    problems.push('skaffold.yaml: manifests do not render k8s/');
  if (!skaffold.deploy?.kubectl) problems.push('skaffold.yaml: does not deploy with kubectl');
  return problems;
}

const RULES = {
  'every YAML document parses': everyDocumentParses,
  'every object is a known kind and valid for its kubernetes-models class': everyObjectIsKnownAndValid,
  'each of the ten services has one file: ServiceAccount, Deployment, Service': eachServiceHasItsOwnFile,
  'every Service exposes port grpc = 50051 and selects its pods': everyServiceExposesGrpc,
  'every server is probed over gRPC on 50051 and exposes metrics on 9464': everyServerIsProbedOverGrpc,
  'every pod is non-root, read-only, without capabilities, RuntimeDefault seccomp, no token':
    everyPodIsLockedDown,
  'every container has CPU and memory requests and limits': everyContainerHasRequestsAndLimits,
  'every service container has an emptyDir at /tmp': everyServicePodHasWritableTmp,
  'the shared ConfigMap holds the common settings and every gRPC address': sharedConfigIsComplete,
  'every server gets its port, settings and secrets': everyServerGetsItsSettings,
  'every Secret and ConfigMap a pod reads is defined, with that key': everyReferenceResolves,
  'secrets only come from Secrets, and committed Secrets are marked development-only':
    noSecretOutsideTheDevSecrets,
  'each service migrates its database in an init container': migrationsRunInAnInitContainer,
  'each service runs its own image ecommerce-<name>': everyServiceRunsItsOwnImage,
  'Postgres and NATS JetStream StatefulSets and the create-databases Job exist': infrastructureIsThere,
  'the kustomization lists every file that exists, and only those': kustomizationListsEveryFile,
  'skaffold builds exactly one artifact per service and deploys k8s/ with kubectl':
    skaffoldBuildsEachServiceOnce,
} satisfies Record<string, (m: Manifests) => string[]>;

type RuleName = keyof typeof RULES;

// ---------------------------------------------------------------------------------------------
// Breakages: one or more per rule, each applied to a fresh copy of the manifests

function deploymentOf(m: Manifests, service: ServiceName): IDeployment {
  return find(m, 'Deployment', service)!.obj as IDeployment;
}

function serverOf(m: Manifests, service: ServiceName): IContainer {
  return deploymentOf(m, service).spec!.template.spec!.containers[0]!;
}

function migrateOf(m: Manifests, service: ServiceName): IContainer {
  return deploymentOf(m, service).spec!.template.spec!.initContainers![0]!;
}

const BREAKAGES: Array<{ rule: RuleName; what: string; breakIt: (m: Manifests) => void }> = [
  {
    rule: 'every YAML document parses',
    what: 'an unclosed flow sequence',
    breakIt: (m) => m.parseErrors.push(...parseYaml('broken.yaml', 'a: [1, 2').errors),
  },
  {
    rule: 'every YAML document parses',
    what: 'a duplicate key',
    breakIt: (m) => m.parseErrors.push(...parseYaml('broken.yaml', 'a: 1\na: 2\n').errors),
  },
  {
    rule: 'every object is a known kind and valid for its kubernetes-models class',
    what: 'replicas as a string',
    breakIt: (m) => ((deploymentOf(m, 'order').spec as { replicas: unknown }).replicas = 'two'),
  },
  {
    rule: 'every object is a known kind and valid for its kubernetes-models class',
    what: 'an unknown kind',
    breakIt: (m) =>
      m.docs.push({ file: 'extra.yaml', obj: { apiVersion: 'v1', kind: 'Pdo', metadata: { name: 'x' } } }),
  },
  {
    rule: 'every object is a known kind and valid for its kubernetes-models class',
    what: 'a ConfigMap value that YAML 1.1 reads as a boolean',
    breakIt: (m) =>
      ((find(m, 'ConfigMap', SHARED_CONFIG)!.obj as { data: Record<string, unknown> }).data.X = true),
  },
  {
    rule: 'each of the ten services has one file: ServiceAccount, Deployment, Service',
    what: 'the cart Service removed',
    breakIt: (m) =>
      (m.docs = m.docs.filter((doc) => !(doc.file === 'services/cart.yaml' && doc.obj.kind === 'Service'))),
  },
  {
    rule: 'each of the ten services has one file: ServiceAccount, Deployment, Service',
    what: 'a file for an unknown service',
    breakIt: (m) => m.files.push('services/wishlist.yaml'),
  },
  {
    rule: 'every Service exposes port grpc = 50051 and selects its pods',
    what: 'the port renamed',
    breakIt: (m) => ((find(m, 'Service', 'payment')!.obj as IService).spec!.ports![0]!.name = 'http'),
  },
  {
    rule: 'every Service exposes port grpc = 50051 and selects its pods',
    what: 'a selector that matches nothing',
    breakIt: (m) => ((find(m, 'Service', 'user')!.obj as IService).spec!.selector = { app: 'usr' }),
  },
  {
    rule: 'every server is probed over gRPC on 50051 and exposes metrics on 9464',
    what: 'an HTTP readiness probe',
    breakIt: (m) => (serverOf(m, 'shipping').readinessProbe = { httpGet: { path: '/', port: 8080 } }),
  },
  {
    rule: 'every server is probed over gRPC on 50051 and exposes metrics on 9464',
    what: 'no liveness probe',
    breakIt: (m) => delete serverOf(m, 'discount').livenessProbe,
  },
  {
    rule: 'every server is probed over gRPC on 50051 and exposes metrics on 9464',
    what: 'the metrics port removed',
    breakIt: (m) =>
      (serverOf(m, 'return').ports = serverOf(m, 'return').ports!.filter((p) => p.name !== 'metrics')),
  },
  {
    rule: 'every pod is non-root, read-only, without capabilities, RuntimeDefault seccomp, no token',
    what: 'a writable root filesystem in an init container',
    breakIt: (m) => (migrateOf(m, 'notification').securityContext!.readOnlyRootFilesystem = false),
  },
  {
    rule: 'every pod is non-root, read-only, without capabilities, RuntimeDefault seccomp, no token',
    what: 'capabilities kept',
    breakIt: (m) => (serverOf(m, 'auth').securityContext!.capabilities = { drop: ['NET_RAW'] }),
  },
  {
    rule: 'every pod is non-root, read-only, without capabilities, RuntimeDefault seccomp, no token',
    what: 'runAsNonRoot removed from pod and container',
    breakIt: (m) => {
      delete deploymentOf(m, 'cart').spec!.template.spec!.securityContext!.runAsNonRoot;
      delete serverOf(m, 'cart').securityContext!.runAsNonRoot;
    },
  },
  {
    rule: 'every pod is non-root, read-only, without capabilities, RuntimeDefault seccomp, no token',
    what: 'no seccomp profile',
    breakIt: (m) => delete deploymentOf(m, 'product').spec!.template.spec!.securityContext!.seccompProfile,
  },
  {
    rule: 'every pod is non-root, read-only, without capabilities, RuntimeDefault seccomp, no token',
    what: 'privilege escalation in the NATS pod',
    breakIt: (m) => {
      const nats = podSpecOf(find(m, 'StatefulSet', 'nats')!)!;
      nats.containers[0]!.securityContext!.allowPrivilegeEscalation = true;
    },
  },
  {
    rule: 'every pod is non-root, read-only, without capabilities, RuntimeDefault seccomp, no token',
    what: 'a mounted service account token',
    breakIt: (m) => (deploymentOf(m, 'order').spec!.template.spec!.automountServiceAccountToken = true),
  },
  {
    rule: 'every container has CPU and memory requests and limits',
    what: 'no limits on Postgres',
    breakIt: (m) => delete podSpecOf(find(m, 'StatefulSet', 'postgres')!)!.containers[0]!.resources!.limits,
  },
  {
    rule: 'every container has CPU and memory requests and limits',
    what: 'no memory request on a migrate container',
    breakIt: (m) => delete migrateOf(m, 'payment').resources!.requests!.memory,
  },
  {
    rule: 'every service container has an emptyDir at /tmp',
    what: 'the /tmp mount removed',
    breakIt: (m) => (serverOf(m, 'user').volumeMounts = []),
  },
  {
    rule: 'the shared ConfigMap holds the common settings and every gRPC address',
    what: 'an address missing',
    breakIt: (m) => delete (find(m, 'ConfigMap', SHARED_CONFIG)!.obj as IConfigMap).data!.ORDER_GRPC_ADDR,
  },
  {
    rule: 'the shared ConfigMap holds the common settings and every gRPC address',
    what: 'the gRPC host on loopback',
    breakIt: (m) => ((find(m, 'ConfigMap', SHARED_CONFIG)!.obj as IConfigMap).data!.GRPC_HOST = '127.0.0.1'),
  },
  {
    rule: 'every server gets its port, settings and secrets',
    what: 'the embedded-mode port',
    breakIt: (m) => (envVar(serverOf(m, 'cart'), 'CART_GRPC_PORT')!.value = '50057'),
  },
  {
    rule: 'every server gets its port, settings and secrets',
    what: 'no signing keys for auth',
    breakIt: (m) =>
      (serverOf(m, 'auth').env = serverOf(m, 'auth').env!.filter((v) => v.name !== 'AUTH_JWT_PRIVATE_KEYS')),
  },
  {
    rule: 'every server gets its port, settings and secrets',
    what: 'no envFrom',
    breakIt: (m) => delete serverOf(m, 'product').envFrom,
  },
  {
    rule: 'every Secret and ConfigMap a pod reads is defined, with that key',
    what: 'a misspelt Secret key',
    breakIt: (m) =>
      (envVar(serverOf(m, 'order'), 'ORDER_DATABASE_URL')!.valueFrom!.secretKeyRef!.key = 'ORDER_DB_URL'),
  },
  {
    rule: 'secrets only come from Secrets, and committed Secrets are marked development-only',
    what: 'a literal password',
    breakIt: (m) =>
      serverOf(m, 'payment').env!.push({ name: 'PAYMENT_PROVIDER_SECRET', value: 'sk_live_123' }),
  },
  {
    rule: 'secrets only come from Secrets, and committed Secrets are marked development-only',
    what: 'a Secret outside the dev file',
    breakIt: (m) =>
      m.docs.push({
        file: 'services/auth.yaml',
        obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k' } },
      }),
  },
  {
    rule: 'secrets only come from Secrets, and committed Secrets are marked development-only',
    what: 'the development label removed',
    breakIt: (m) => (objects(m, 'Secret')[0]!.obj.metadata!.labels = {}),
  },
  {
    rule: 'each service migrates its database in an init container',
    what: 'no init container',
    breakIt: (m) => delete deploymentOf(m, 'shipping').spec!.template.spec!.initContainers,
  },
  {
    rule: 'each service migrates its database in an init container',
    what: "migrating another service's database",
    breakIt: (m) => (migrateOf(m, 'return').args = ['node', 'dist/scripts/migrate.js', 'order']),
  },
  {
    rule: 'each service runs its own image ecommerce-<name>',
    what: "another service's image",
    breakIt: (m) => (serverOf(m, 'order').image = 'ecommerce-cart'),
  },
  {
    rule: 'Postgres and NATS JetStream StatefulSets and the create-databases Job exist',
    what: 'Postgres without a PVC template',
    breakIt: (m) =>
      delete (find(m, 'StatefulSet', 'postgres')!.obj as IStatefulSet).spec!.volumeClaimTemplates,
  },
  {
    rule: 'Postgres and NATS JetStream StatefulSets and the create-databases Job exist',
    what: 'JetStream disabled',
    breakIt: (m) => {
      const data = (find(m, 'ConfigMap', 'nats-config')!.obj as IConfigMap).data!;
      for (const key of Object.keys(data)) data[key] = data[key]!.replace(/jetstream/g, '# js off');
    },
  },
  {
    rule: 'Postgres and NATS JetStream StatefulSets and the create-databases Job exist',
    what: 'return_db not created',
    breakIt: (m) => {
      const env = podSpecOf(find(m, 'Job', 'create-databases')!)!.containers[0]!.env!;
      for (const variable of env) variable.value = variable.value?.replace('return_db', '');
    },
  },
  {
    rule: 'the kustomization lists every file that exists, and only those',
    what: 'a file not listed',
    breakIt: (m) =>
      (m.kustomization.resources = m.kustomization.resources!.filter((f) => f !== 'services/cart.yaml')),
  },
  {
    rule: 'the kustomization lists every file that exists, and only those',
    what: 'a listed file that does not exist',
    breakIt: (m) => m.kustomization.resources!.push('services/missing.yaml'),
  },
  {
    rule: 'skaffold builds exactly one artifact per service and deploys k8s/ with kubectl',
    what: 'an artifact missing',
    breakIt: (m) => m.skaffold.build!.artifacts!.pop(),
  },
  {
    rule: 'skaffold builds exactly one artifact per service and deploys k8s/ with kubectl',
    what: 'an artifact twice',
    breakIt: (m) => m.skaffold.build!.artifacts!.push(structuredClone(m.skaffold.build!.artifacts![0]!)),
  },
  {
    rule: 'skaffold builds exactly one artifact per service and deploys k8s/ with kubectl',
    what: 'the wrong SERVICE build arg',
    breakIt: (m) => (m.skaffold.build!.artifacts![1]!.docker!.buildArgs!.SERVICE = 'auth'),
  },
];

// ---------------------------------------------------------------------------------------------

describe('k8s manifests and skaffold.yaml', () => {
  const manifests = loadManifests();

  it('finds the manifests', () => {
    expect(manifests.files).to.include.members([
      'kustomization.yaml',
      'services/auth.yaml',
      'infra/postgres.yaml',
    ]);
    expect(objects(manifests, 'Deployment')).to.have.length.of.at.least(SERVICE_NAMES.length);
  });

  for (const [name, rule] of Object.entries(RULES)) {
    it(name, () => expect(rule(manifests)).to.deep.equal([]));
  }

  describe('each rule fails on a broken copy', () => {
    for (const name of Object.keys(RULES) as RuleName[]) {
      it(`${name}: has at least one breakage`, () => {
        expect(BREAKAGES.filter((breakage) => breakage.rule === name)).to.not.have.lengthOf(0);
      });
    }
    for (const { rule, what, breakIt } of BREAKAGES) {
      it(`${rule}: catches ${what}`, () => {
        const broken = structuredClone(manifests);
        breakIt(broken);
        expect(RULES[rule](broken)).to.not.have.lengthOf(0);
      });
    }
  });
});
