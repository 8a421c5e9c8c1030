using System.Text.RegularExpressions;
using Llmctl.Components.Certificates;
using Llmctl.Components.Kubernetes;

namespace Llmctl.Components.Gateway;

public sealed partial class LiteLlmGateway
{
    private static List<ArgumentProblem> Validate(string name, LiteLlmGatewayArgs args)
    {
        var problems = new List<ArgumentProblem>();
        void Add(string arg, string message) => problems.Add(new ArgumentProblem(arg, message));

        if (KubernetesNames.Dns1123LabelProblem(name) is { } n) Add("name", n);
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) Add("namespace", ns);
        switch (args.MasterKey, args.MasterKeySecret)
        {
            case (null, null):
                Add("masterKey", "give the master key from secret configuration (config.RequireSecret(\"litellmMasterKey\")), or masterKeySecret naming a Secret you create");
                break;
            case (not null, not null):
                Add("masterKeySecret", "give either masterKey or masterKeySecret, not both");
                break;
            case (null, { } existing):
                if (KubernetesNames.Dns1123LabelProblem(existing.Name) is { } secretName) Add("masterKeySecret.name", secretName);
                if (string.IsNullOrWhiteSpace(existing.Key)) Add("masterKeySecret.key", "give the key in the Secret that holds the master key, e.g. masterkey");
                break;
        }
        if (args.Aliases.Count + args.Fleets.Count + args.ExternalModels.Count == 0)
        {
            Add("aliases", "the gateway serves nothing; give at least one alias, fleet or external model");
        }

        var modelNames = new HashSet<string>(StringComparer.Ordinal);
        void Name(string arg, string model)
        {
            if (string.IsNullOrWhiteSpace(model)) Add(arg, "give the model name clients ask for, e.g. 'fast'");
            else if (model.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) Add(arg, $"'{model}' must be a name without spaces (clients send it as \"model\")");
            else if (!modelNames.Add(model)) Add(arg, $"'{model}' is used twice; one alias, fleet or external model per name (a fleet lists all its nodes)");
        }
        void Limits(string at, int? rpm, int? tpm)
        {
            if (rpm is <= 0) Add($"{at}.rpm", $"{rpm} must be positive, e.g. 60");
            if (tpm is <= 0) Add($"{at}.tpm", $"{tpm} must be positive");
        }
        for (var i = 0; i < args.Aliases.Count; i++)
        {
            var a = args.Aliases[i];
            Name($"aliases[{i}].name", a.Name);
            if (UrlProblem(a.ApiBase) is { } u) Add($"aliases[{i}].apiBase", u);
            if (string.IsNullOrWhiteSpace(a.ServedModel)) Add($"aliases[{i}].servedModel", "give the id the backend serves (llama-server's --alias)");
            Limits($"aliases[{i}]", a.Rpm, a.Tpm);
        }
        for (var i = 0; i < args.Fleets.Count; i++)
        {
            var f = args.Fleets[i];
            Name($"fleets[{i}].modelName", f.ModelName);
            if (f.Endpoints.Count == 0) Add($"fleets[{i}].endpoints", "give each node's endpoint, e.g. 'http://ollama.ollama.svc.cluster.local:11434/v1'");
            foreach (var e in f.Endpoints)
            {
                if (UrlProblem(e) is { } u) Add($"fleets[{i}].endpoints", u);
            }
            foreach (var dup in f.Endpoints.GroupBy(e => e).Where(g => g.Count() > 1)) Add($"fleets[{i}].endpoints", $"'{dup.Key}' is listed twice; one entry per node");
            Limits($"fleets[{i}]", f.Rpm, f.Tpm);
        }
        for (var i = 0; i < args.ExternalModels.Count; i++)
        {
            var e = args.ExternalModels[i];
            Name($"externalModels[{i}].modelName", e.ModelName);
            if (string.IsNullOrWhiteSpace(e.Model) || !e.Model.Contains('/')) Add($"externalModels[{i}].model", $"'{e.Model}' has no provider prefix; write e.g. 'openai/gpt-5.5'");
            if (UrlProblem(e.ApiBase) is { } u) Add($"externalModels[{i}].apiBase", u);
            if (!args.ProviderKeys.ContainsKey(e.ApiKeyEnv ?? ""))
            {
                Add($"externalModels[{i}].apiKeyEnv", $"'{e.ApiKeyEnv}' is not in providerKeys; add its key from secret configuration");
            }
            Limits($"externalModels[{i}]", e.Rpm, e.Tpm);
        }
        foreach (var (env, value) in args.ProviderKeys)
        {
            if (!EnvName().IsMatch(env)) Add("providerKeys", $"'{env}' is not an environment variable name; write e.g. 'OPENAI_API_KEY'");
            else if (env is GeneralSettings.MasterKeyEnv or GeneralSettings.DatabaseUrlEnv) Add("providerKeys", $"'{env}' is set by the gateway itself; use masterKey or database instead");
            if (value is null) Add("providerKeys", $"'{env}' has no value");
        }

        var r = args.Router;
        if (r.NumRetries < 0) Add("router.numRetries", "must be 0 or more");
        if (r.Timeout <= TimeSpan.Zero) Add("router.timeout", "must be positive, e.g. 600 seconds");
        foreach (var (from, to) in r.Fallbacks)
        {
            foreach (var target in to.Prepend(from).Where(m => !modelNames.Contains(m)))
            {
                Add("router.fallbacks", $"'{target}' is not a model the gateway serves ({string.Join(", ", modelNames.Order(StringComparer.Ordinal))})");
            }
        }
        if (args.Settings.RequestTimeout <= TimeSpan.Zero) Add("settings.requestTimeout", "must be positive, e.g. 600 seconds");

        if (args.Ingress is { } ingress)
        {
            if (HostNames.Problem(ingress.Host) is { } h) Add("ingress.host", h);
            if (string.IsNullOrWhiteSpace(ingress.ClusterIssuer)) Add("ingress.clusterIssuer", "name the cert-manager ClusterIssuer, e.g. 'letsencrypt-ionos-prod'");
            if (ingress.TlsSecretName is { } tls && KubernetesNames.Dns1123LabelProblem(tls) is { } tp) Add("ingress.tlsSecretName", tp);
        }
        if (args.ImageTag is "" or "latest") Add("imageTag", "pin a tag such as 'main-v1.82.3-stable', or leave it out for the chart's appVersion");
        if (args.Timeout <= TimeSpan.Zero) Add("timeout", "must be positive");
        return problems;
    }

    private static string? UrlProblem(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"
            ? null
            : $"'{url}' is not an http(s) URL; write the OpenAI base URL, e.g. 'http://llama.llm.svc.cluster.local:8080/v1'";

    [GeneratedRegex("^[A-Z_][A-Z0-9_]*$")]
    private static partial Regex EnvName();
}
