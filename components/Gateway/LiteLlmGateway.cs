using System.Text.Json.Nodes;
using k8s.Models;
using Llmctl.Components.Certificates;
using Llmctl.Components.Helm;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Gateway;

/// <summary>
/// LiteLLM's proxy from the litellm-helm chart: stable aliases and node fleets in <c>proxy_config</c>, the master key
/// and provider keys in Secrets the proxy reads as environment (the config only says <c>os.environ/NAME</c>), the
/// chart's PostgreSQL or an external one, and an Ingress with a cert-manager certificate.
/// </summary>
public sealed partial class LiteLlmGateway : ComponentResource
{
    public const string TypeToken = "llmctl:gateway:LiteLlmGateway";
    public const string ChartName = "litellm-helm";
    /// <summary>LiteLLM publishes the chart only as an OCI artifact.</summary>
    public const string ChartRepo = "oci://ghcr.io/berriai";
    /// <summary>
    /// Chart.yaml at BerriAI/litellm 56fab12 (upstream/SOURCES.md): chart 1.1.0, app v1.80.12. The OCI tags follow
    /// LiteLLM releases rather than Chart.yaml (seed 000 installs 1.82.3), so check the tag exists before relying on it.
    /// </summary>
    public const string ChartVersion = "1.1.0";
    /// <summary>The pinned chart (its digest is in charts.lock.yaml).</summary>
    public static readonly ChartRef PinnedChart = new(ChartName, ChartRepo, ChartVersion);
    public const string MasterKeySecretKey = "masterkey";
    public const string LocalApiKey = "none";
    public const int Port = 4000;
    /// <summary>Where the HelmChart and its values Secret live.</summary>
    public const string ChartNamespace = "kube-system";

    public LiteLlmGateway(string name, LiteLlmGatewayArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(name, args));
        Config = BuildProxyConfig(args);

        var dependsOn = new List<Resource>(RawOptions.DependsOn);
        if (args.CreateNamespace)
        {
            NamespaceObject = new KubernetesObject<V1Namespace>($"{name}-namespace", new V1Namespace
            {
                Metadata = new V1ObjectMeta { Name = args.Namespace, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "llmctl" } },
            }, new CustomResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn });
            dependsOn.Add(NamespaceObject);
        }
        var secretOptions = new CustomResourceOptions { Parent = this, DependsOn = dependsOn };
        var secrets = new List<KubernetesObject<V1Secret>>();
        if (args.MasterKey is { } masterKey)
        {
            secrets.Add(SecretObjects.FromConfig($"{name}-masterkey", MasterKeySecretName, args.Namespace,
                new Dictionary<string, Output<string>> { [MasterKeySecretKey] = masterKey }, secretOptions));
        }
        var env = EnvironmentValues(args);
        if (env.Count > 0) secrets.Add(SecretObjects.FromConfig($"{name}-env", EnvironmentSecretName, args.Namespace, env, secretOptions));
        var valuesSecrets = new List<V1HelmValuesSecret>();
        if (args.Database is StandaloneDatabase { Password: { } password })
        {
            // valuesSecrets are read from the HelmChart's own namespace.
            secrets.Add(SecretObjects.FromConfig($"{name}-values", ValuesSecretName, ChartNamespace,
                new Dictionary<string, Output<string>> { [DatabaseValuesKey] = password.Apply(DatabaseValues) }, secretOptions));
            valuesSecrets.Add(new V1HelmValuesSecret { Name = ValuesSecretName, Keys = [DatabaseValuesKey] });
        }
        Secrets = secrets;

        Release = new HelmRelease(name, new HelmReleaseArgs
        {
            Chart = ChartName,
            Repo = ChartRepo,
            Version = args.ChartVersion,
            TargetNamespace = args.Namespace,
            Values = Values(name, args, Config),
            ValuesSecrets = valuesSecrets,
            ChartNamespace = ChartNamespace,
            Timeout = args.Timeout,
        }, new ComponentResourceOptions { Parent = this, DependsOn = [.. dependsOn, .. secrets] });
        // No public digest of the proxy image could be verified: named, not guessed (chart-images-pinned).
        Release.Chart.Annotate(new UnpinnedChartImage(ProxyImage(args),
            "no public source names a digest for this tag; the chart's templates are not in the reference copy either, so it is not rendered here"));

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["namespace"] = args.Namespace,
            ["url"] = Url,
            ["models"] = ModelNames.ToArray(),
        });
    }

    public LiteLlmGatewayArgs Args { get; }
    /// <summary>The generated LiteLLM config (the chart's <c>proxy_config</c>).</summary>
    public ProxyConfig Config { get; }
    public HelmRelease Release { get; }
    public KubernetesObject<V1Namespace>? NamespaceObject { get; }
    /// <summary>The master-key Secret, the environment Secret (provider keys, database URL) and the values Secret (database password), as present.</summary>
    public IReadOnlyList<KubernetesObject<V1Secret>> Secrets { get; }
    /// <summary>The Secret holding the master key: the operator's (<see cref="LiteLlmGatewayArgs.MasterKeySecret"/>) or the gateway's own.</summary>
    public string MasterKeySecretName => Args.MasterKeySecret?.Name ?? $"{Name}-masterkey";
    /// <summary>
    /// The proxy's Service, named by the chart's fullname rule: the release name when it contains the chart's name,
    /// else <c>&lt;release&gt;-&lt;name&gt;</c> — where the name is the chart's default <c>nameOverride: litellm</c>, not
    /// the chart name <c>litellm-helm</c>. Release <c>litellm</c> gives Service <c>litellm</c>, as seed 000's
    /// <c>litellm-ollama-masterkey</c> shows for release <c>litellm-ollama</c>.
    /// </summary>
    public string ServiceName => ServiceNameFor(Name);

    /// <summary>The Service the chart names for release <paramref name="release"/> (see <see cref="ServiceName"/>).</summary>
    public static string ServiceNameFor(string release)
    {
        ArgumentNullException.ThrowIfNull(release);
        return release.Contains(NameOverride, StringComparison.Ordinal) ? release : $"{release}-{NameOverride}";
    }
    /// <summary>The chart's default <c>nameOverride</c> (its values.yaml), which its fullname helper uses.</summary>
    public const string NameOverride = "litellm";
    public string MasterKeySecretKeyName => Args.MasterKeySecret?.Key ?? MasterKeySecretKey;
    public string EnvironmentSecretName => $"{Name}-env";
    public string ValuesSecretName => $"{Name}-values";
    public const string DatabaseValuesKey = "database.yaml";
    public string TlsSecretName => Args.Ingress?.TlsSecretName ?? $"{Name}-tls";
    /// <summary>The public URL with an Ingress, else null.</summary>
    public string? Url => Args.Ingress is { } i ? $"https://{i.Host}" : null;
    public IEnumerable<string> ModelNames => Config.ModelList.Select(m => m.ModelName).Distinct();

    public static ProxyConfig BuildProxyConfig(LiteLlmGatewayArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var list = new List<ModelDeployment>();
        foreach (var a in args.Aliases)
        {
            list.Add(new ModelDeployment
            {
                ModelName = a.Name,
                Params = new LiteLlmParams { Model = $"openai/{a.ServedModel}", ApiBase = a.ApiBase, ApiKey = LocalApiKey, Rpm = a.Rpm, Tpm = a.Tpm },
            });
        }
        foreach (var f in args.Fleets)
        {
            foreach (var endpoint in f.Endpoints)
            {
                list.Add(new ModelDeployment
                {
                    ModelName = f.ModelName,
                    Params = new LiteLlmParams { Model = $"openai/{f.ServedModel ?? f.ModelName}", ApiBase = endpoint, ApiKey = LocalApiKey, Rpm = f.Rpm, Tpm = f.Tpm },
                });
            }
        }
        foreach (var e in args.ExternalModels)
        {
            list.Add(new ModelDeployment
            {
                ModelName = e.ModelName,
                Params = new LiteLlmParams { Model = e.Model, ApiBase = e.ApiBase, ApiKey = $"os.environ/{e.ApiKeyEnv}", Rpm = e.Rpm, Tpm = e.Tpm },
            });
        }
        return new ProxyConfig
        {
            ModelList = list,
            RouterSettings = args.Router,
            LiteLlmSettings = args.Settings,
            GeneralSettings = new GeneralSettings { DatabaseUrlFromEnv = args.Database is ExternalDatabase },
        };
    }

    /// <summary>
    /// The proxy's image as the chart writes it (BerriAI/litellm <c>deploy/charts/litellm-helm/templates</c>:
    /// <c>repository:tag</c>, the tag defaulting to <c>main-</c> + appVersion; chart 1.1.0's appVersion is v1.80.12).
    /// </summary>
    public static string ProxyImage(LiteLlmGatewayArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return $"{ImageRepository}:{args.ImageTag ?? (args.ChartVersion == ChartVersion ? "main-" + AppVersion : "main-<appVersion of chart " + args.ChartVersion + ">")}";
    }

    /// <summary>The chart's <c>image.repository</c> (values.yaml).</summary>
    public const string ImageRepository = "ghcr.io/berriai/litellm-database";
    /// <summary>Chart 1.1.0's appVersion (Chart.yaml).</summary>
    public const string AppVersion = "v1.80.12";

    /// <summary>The chart values; nothing secret in them, only Secret names and <c>os.environ/</c> references.</summary>
    public static JsonObject Values(string name, LiteLlmGatewayArgs args, ProxyConfig config)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(config);
        var values = new JsonObject
        {
            ["masterkeySecretName"] = args.MasterKeySecret?.Name ?? $"{name}-masterkey",
            ["masterkeySecretKey"] = args.MasterKeySecret?.Key ?? MasterKeySecretKey,
            ["proxy_config"] = config.ToJson(),
        };
        if (EnvironmentValues(args).Count > 0) values["environmentSecrets"] = new JsonArray($"{name}-env");
        if (args.ImageTag is { } tag) values["image"] = new JsonObject { ["tag"] = tag };
        // values.yaml's top-level `tolerations` goes to the proxy Deployment and the migration Job alike.
        if (args.Tolerate.Count > 0) values["tolerations"] = SystemTolerations.Of(args.Tolerate);
        switch (args.Database)
        {
            case StandaloneDatabase:
                values["db"] = new JsonObject { ["useExisting"] = false, ["deployStandalone"] = true };
                values["migrationJob"] = new JsonObject { ["enabled"] = true };
                if (args.Tolerate.Count > 0)
                {
                    // The bitnami postgresql sub-chart's key (its values.yaml: primary.tolerations). Its sources are not
                    // in the reference copy, so this one key is checked against bitnami's published values, not rendered.
                    values["postgresql"] = new JsonObject { ["primary"] = new JsonObject { ["tolerations"] = SystemTolerations.Of(args.Tolerate) } };
                }
                break;
            case ExternalDatabase:
                // The URL reaches the proxy as DATABASE_URL from the environment Secret; the chart's migration Job
                // only knows the chart's own database settings, so the proxy migrates on start instead.
                values["db"] = new JsonObject { ["useExisting"] = false, ["deployStandalone"] = false };
                values["migrationJob"] = new JsonObject { ["enabled"] = false };
                break;
        }
        if (args.Ingress is { } ingress)
        {
            values["ingress"] = new JsonObject
            {
                ["enabled"] = true,
                ["className"] = ingress.ClassName,
                ["annotations"] = new JsonObject { ["cert-manager.io/cluster-issuer"] = ingress.ClusterIssuer },
                ["hosts"] = new JsonArray(new JsonObject
                {
                    ["host"] = ingress.Host,
                    ["paths"] = new JsonArray(new JsonObject { ["path"] = "/", ["pathType"] = "Prefix" }),
                }),
                ["tls"] = new JsonArray(new JsonObject
                {
                    ["secretName"] = ingress.TlsSecretName ?? $"{name}-tls",
                    ["hosts"] = new JsonArray(ingress.Host),
                }),
            };
        }
        if (args.ServiceMonitor) values["serviceMonitor"] = new JsonObject { ["enabled"] = true };
        return values;
    }

    private static Dictionary<string, Output<string>> EnvironmentValues(LiteLlmGatewayArgs args)
    {
        var env = new Dictionary<string, Output<string>>(args.ProviderKeys, StringComparer.Ordinal);
        if (args.Database is ExternalDatabase external) env[GeneralSettings.DatabaseUrlEnv] = external.Url;
        return env;
    }

    /// <summary>A values file for the bundled PostgreSQL's passwords (JSON, which YAML reads).</summary>
    private static string DatabaseValues(string password) => new JsonObject
    {
        ["postgresql"] = new JsonObject { ["auth"] = new JsonObject { ["password"] = password, ["postgres-password"] = password } },
    }.ToJsonString();
}
