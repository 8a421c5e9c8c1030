using System.Text.Json.Nodes;
using Llmctl.Components.Certificates;
using Llmctl.Components.Helm;
using Llmctl.Engine.Model;
using Llmctl.Testing;

namespace Llmctl.Components.Tests.Certificates;

internal sealed class NoOutputsKnown : IOutputSource
{
    public static readonly NoOutputsKnown Instance = new();
    public JsonObject? OutputsOf(Resource resource) => null;
}

public sealed class Dns01ClusterIssuerTests
{
    private const string IonosPrefix = "pub-prefix-4711";
    private const string IonosSecret = "very-secret-ionos-key";

    private static (StackContext Ctx, Dns01ClusterIssuer Issuer) Build(string name, Dns01ClusterIssuerArgs args)
    {
        Dns01ClusterIssuer? issuer = null;
        var ctx = StackContext.Run("llm-platform", "homelab", _ => issuer = new Dns01ClusterIssuer(name, args));
        return (ctx, issuer!);
    }

    private static Dns01ClusterIssuerArgs Ionos(AcmeEnvironment env = AcmeEnvironment.Production) => new()
    {
        Email = "ops@example.com",
        Environment = env,
        PrivateKeySecretName = "letsencrypt-ionos-prod-account-key",
        Solvers = [IonosDnsWebhook.Solver(Output.CreateSecret(IonosPrefix), Output.CreateSecret(IonosSecret))],
    };

    [Fact]
    public void The_IONOS_issuer_is_seed_000s_ClusterIssuer_and_validates_against_the_CRD()
    {
        var (_, issuer) = Build("letsencrypt-ionos-prod", Ionos());
        var inputs = issuer.Issuer.Inputs;

        CrdSchema.AssertValid("cert-manager", "cert-manager.io_clusterissuers.yaml", inputs);
        var expected = JsonNode.Parse("""
            {
              "email": "ops@example.com",
              "server": "https://acme-v02.api.letsencrypt.org/directory",
              "privateKeySecretRef": { "name": "letsencrypt-ionos-prod-account-key" },
              "solvers": [ { "dns01": { "webhook": {
                "groupName": "acme.fabmade.de",
                "solverName": "ionos",
                "config": {
                  "apiUrl": "https://api.hosting.ionos.com/dns/v1",
                  "publicKeySecretRef": { "name": "ionos-secret", "key": "IONOS_PUBLIC_PREFIX" },
                  "secretKeySecretRef": { "name": "ionos-secret", "key": "IONOS_SECRET" }
                } } } } ]
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, inputs["spec"]!["acme"]), inputs["spec"]!["acme"]!.ToJsonString());
    }

    [Fact]
    public void The_IONOS_keys_go_into_a_cert_manager_namespace_Secret_as_secret_wrapped_values_only()
    {
        var (ctx, issuer) = Build("letsencrypt-ionos-prod", Ionos());
        var secret = Assert.Single(issuer.Secrets);
        Assert.Equal("ionos-secret", secret.Object.Metadata.Name);
        Assert.Equal("cert-manager", secret.Object.Metadata.NamespaceProperty);

        var resolved = ctx.ResolveOutputs(secret.Inputs["stringData"], NoOutputsKnown.Instance)!.AsObject();
        Assert.Equal(["IONOS_PUBLIC_PREFIX", "IONOS_SECRET"], resolved.Select(kv => kv.Key));
        Assert.All(resolved, kv => Assert.True(PropertyValues.IsSecret(kv.Value)));
        Assert.Equal(IonosSecret, PropertyValues.Unwrap(resolved["IONOS_SECRET"])!.GetValue<string>());

        SecretScan.AssertNoPlainText(ctx, IonosPrefix, IonosSecret);
    }

    [Fact]
    public void A_staging_issuer_uses_the_staging_directory()
    {
        var (_, issuer) = Build("letsencrypt-staging", Ionos(AcmeEnvironment.Staging));
        Assert.Equal("https://acme-staging-v02.api.letsencrypt.org/directory", issuer.Issuer.Object.Spec.Acme!.Server);
    }

    [Fact]
    public void A_Cloudflare_issuer_references_its_token_Secret_and_validates_against_the_CRD()
    {
        var (ctx, issuer) = Build("letsencrypt-cf", new Dns01ClusterIssuerArgs
        {
            Email = "ops@example.com",
            Solvers = [new CloudflareDns01Solver { ApiToken = Output.CreateSecret("cf-token-123"), DnsZones = ["example.com"] }],
        });

        CrdSchema.AssertValid("cert-manager", "cert-manager.io_clusterissuers.yaml", issuer.Issuer.Inputs);
        var solver = issuer.Issuer.Object.Spec.Acme!.Solvers![0];
        Assert.Equal("letsencrypt-cf-cloudflare", solver.Dns01!.Cloudflare!.ApiTokenSecretRef!.Name);
        Assert.Equal("api-token", solver.Dns01.Cloudflare.ApiTokenSecretRef.Key);
        Assert.Equal(["example.com"], solver.Selector!.DnsZones!);
        Assert.Equal("letsencrypt-cf-account-key", issuer.Issuer.Object.Spec.Acme.PrivateKeySecretRef.Name);
        Assert.Equal("letsencrypt-cf-cloudflare", Assert.Single(issuer.Secrets).Object.Metadata.Name);
        SecretScan.AssertNoPlainText(ctx, "cf-token-123");
    }

    [Fact]
    public void A_Route53_issuer_with_static_keys_or_a_role_validates_against_the_CRD()
    {
        var (ctx, keys) = Build("letsencrypt-aws", new Dns01ClusterIssuerArgs
        {
            Email = "ops@example.com",
            Solvers = [new Route53Dns01Solver { Region = "eu-central-1", HostedZoneId = "Z123", AccessKeyId = "AKIAEXAMPLE", SecretAccessKey = Output.CreateSecret("aws-secret-key") }],
        });
        CrdSchema.AssertValid("cert-manager", "cert-manager.io_clusterissuers.yaml", keys.Issuer.Inputs);
        var r53 = keys.Issuer.Object.Spec.Acme!.Solvers![0].Dns01!.Route53!;
        Assert.Equal("AKIAEXAMPLE", r53.AccessKeyId);
        Assert.Equal("letsencrypt-aws-route53", r53.SecretAccessKeySecretRef!.Name);
        SecretScan.AssertNoPlainText(ctx, "aws-secret-key");

        var (_, role) = Build("letsencrypt-role", new Dns01ClusterIssuerArgs
        {
            Email = "ops@example.com",
            Solvers = [new Route53Dns01Solver { Region = "eu-central-1", Role = "arn:aws:iam::123456789012:role/dns" }],
        });
        CrdSchema.AssertValid("cert-manager", "cert-manager.io_clusterissuers.yaml", role.Issuer.Inputs);
        Assert.Empty(role.Secrets);
    }

    [Fact]
    public void Bad_issuer_arguments_are_all_reported_at_once()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build("Bad_Name", new Dns01ClusterIssuerArgs
        {
            Email = "not-an-email",
            Solvers =
            [
                new Route53Dns01Solver { Region = "", AccessKeyId = "AKIA" },
                new WebhookDns01Solver { GroupName = "", SolverName = "ionos", SecretValues = new Dictionary<string, Output<string>> { ["k"] = Output.CreateSecret("v") } },
            ],
        }));
        Assert.Contains("name: 'Bad_Name' is not a valid DNS-1123 label", ex.Message);
        Assert.Contains("email: 'not-an-email' is not an email address", ex.Message);
        Assert.Contains("solvers: more than one solver answers for every zone", ex.Message);
        Assert.Contains("solvers[0].region", ex.Message);
        Assert.Contains("solvers[0]: give both accessKeyId and secretAccessKey", ex.Message);
        Assert.Contains("solvers[1].groupName", ex.Message);
        Assert.Contains("solvers[1].secretName", ex.Message);
    }

    [Fact]
    public void An_issuer_without_solvers_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build("x", new Dns01ClusterIssuerArgs { Email = "a@b.c", Solvers = [] }));
        Assert.Contains("give at least one DNS-01 solver", ex.Message);
    }
}

public sealed class CertManagerTests
{
    [Fact]
    public void Cert_manager_is_the_jetstack_chart_pinned_to_v1_21_1_with_CRDs_in_its_namespace()
    {
        CertManager? cm = null;
        StackContext.Run("p", "s", _ => cm = new CertManager("cert-manager", new CertManagerArgs { Dns01RecursiveNameservers = ["1.1.1.1:53", "8.8.8.8:53"], ServiceMonitor = true }));
        var spec = cm!.Release.Chart.Object.Spec;
        Assert.Equal(("cert-manager", "https://charts.jetstack.io", "v1.21.1", "cert-manager"), (spec.Chart, spec.Repo, spec.Version, spec.TargetNamespace));
        var values = cm.Release.Args.Values;
        Assert.True(values["crds"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("1.1.1.1:53,8.8.8.8:53", values["dns01RecursiveNameservers"]!.GetValue<string>());
        // Each pod's image by its verified digest. values.yaml documents `digest` commented out (`# digest: sha256:…`)
        // beside each image's repository and tag; the chart's image helper reads it (rendered by the real helm in
        // Llmctl.Infra.Tests' RenderedChildrenPolicyTests).
        Assert.Equal(ChartImages.CertManagerController.Digest, values["image"]!["digest"]!.GetValue<string>());
        Assert.Equal(ChartImages.CertManagerWebhook.Digest, values["webhook"]!["image"]!["digest"]!.GetValue<string>());
        ChartValues.AssertKeysExist("cert-manager", values, "image.digest", "webhook.image.digest", "cainjector.image.digest", "startupapicheck.image.digest");
    }

    [Fact]
    public void A_nameserver_without_a_port_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => StackContext.Run("p", "s", _ => new CertManager("cm", new CertManagerArgs { Dns01RecursiveNameservers = ["1.1.1.1"] })));
        Assert.Contains("'1.1.1.1' is not host:port", ex.Message);
    }

    [Fact]
    public void The_IONOS_webhook_chart_sets_only_keys_of_its_upstream_values_and_pins_its_image()
    {
        IonosDnsWebhook? webhook = null;
        StackContext.Run("p", "s", _ => webhook = new IonosDnsWebhook("cert-manager-webhook-ionos"));
        var spec = webhook!.Release.Chart.Object.Spec;
        Assert.Equal(("cert-manager-webhook-ionos", "https://fabmade.github.io/cert-manager-webhook-ionos", "1.3.0", "cert-manager"), (spec.Chart, spec.Repo, spec.Version, spec.TargetNamespace));
        ChartValues.AssertKeysExist("cert-manager-webhook-ionos", webhook.Release.Args.Values);
        Assert.Equal("acme.fabmade.de", webhook.Release.Args.Values["groupName"]!.GetValue<string>());
        Assert.Equal("1.3.0", webhook.Release.Args.Values["image"]!["tag"]!.GetValue<string>());
    }

    [Fact]
    public void The_IONOS_webhook_refuses_the_latest_tag()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => StackContext.Run("p", "s", _ => new IonosDnsWebhook("w", new IonosDnsWebhookArgs { ImageTag = "latest" })));
        Assert.Contains("imageTag: pin an image tag", ex.Message);
    }
}

public sealed class CertificateTests
{
    [Fact]
    public void A_certificate_for_the_gateway_host_validates_against_the_CRD()
    {
        Certificate? cert = null;
        StackContext.Run("p", "s", _ => cert = new Certificate("litellm", new CertificateArgs
        {
            Namespace = "litellm",
            DnsNames = ["litellm.example.com"],
            ClusterIssuer = "letsencrypt-ionos-prod",
            Duration = TimeSpan.FromDays(90),
            RenewBefore = TimeSpan.FromDays(30),
        }));
        CrdSchema.AssertValid("cert-manager", "cert-manager.io_certificates.yaml", cert!.Resource.Inputs);
        var spec = cert.Resource.Object.Spec;
        Assert.Equal("litellm-tls", spec.SecretName);
        Assert.Equal(("letsencrypt-ionos-prod", "ClusterIssuer", "cert-manager.io"), (spec.IssuerRef.Name, spec.IssuerRef.Kind, spec.IssuerRef.Group));
        Assert.Equal(("2160h", "720h"), (spec.Duration, spec.RenewBefore));
    }

    [Fact]
    public void Bad_certificate_arguments_are_reported()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => StackContext.Run("p", "s", _ => new Certificate("c", new CertificateArgs
        {
            Namespace = "litellm",
            DnsNames = ["Not A Host"],
            ClusterIssuer = "",
            Duration = TimeSpan.FromMinutes(90),
        })));
        Assert.Contains("dnsNames: 'Not A Host' is not a DNS host name", ex.Message);
        Assert.Contains("clusterIssuer: name the ClusterIssuer", ex.Message);
        Assert.Contains("duration: 01:30:00 is not a positive whole number of hours", ex.Message);
    }
}
