using System.Globalization;

namespace Llmctl.Providers.Kubernetes;

/// <summary>
/// Reaches a cluster Service from outside the cluster through the Kubernetes API server's service proxy
/// (<c>/api/v1/namespaces/&lt;ns&gt;/services/http:&lt;name&gt;:&lt;port&gt;/proxy/…</c>), with the kubeconfig's
/// credentials: a request to <c>http://&lt;name&gt;.&lt;ns&gt;.svc.cluster.local:&lt;port&gt;/path</c> (the in-cluster
/// address) is sent there instead. The API server's proxy flushes <c>text/event-stream</c> responses as they come
/// (Go's reverse proxy does for that content type), so streamed tokens are not held back; it does add the hop through
/// the API server to every timing, which is why an in-cluster run (the Service's own address) is preferred when
/// llmctl runs inside the cluster. Needs RBAC <c>get</c> on <c>services/proxy</c> in the namespace.
/// </summary>
public sealed class ServiceProxy : DelegatingHandler
{
    private const string ClusterSuffix = ".svc.cluster.local";
    private readonly k8s.Kubernetes _client;

    private ServiceProxy(k8s.Kubernetes client, HttpMessageHandler inner) : base(inner)
    {
        _client = client;
    }

    /// <summary>A handler for the cluster <paramref name="options"/> point at (the stack's <c>kubernetes:*</c> config).</summary>
    public static ServiceProxy Create(KubernetesProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = new KubernetesConnection(options);
        if (connection.Client is not k8s.Kubernetes client || connection.Configuration is not { } config)
        {
            throw new Engine.Providers.ProviderException("the service proxy needs a client built from a kubeconfig");
        }
        // The API server's TLS as the client library checks it (its CA, or none with insecure-skip-tls-verify), and the
        // client certificate when the kubeconfig has one; tokens are added per request from the client's credentials.
        var handler = new SocketsHttpHandler();
        if (config.SkipTlsVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (config.SslCaCerts is { Count: > 0 } ca)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                k8s.Kubernetes.CertificateValidationCallBack(sender, ca, certificate, chain, errors);
        }
        if (!string.IsNullOrEmpty(config.ClientCertificateData) || !string.IsNullOrEmpty(config.ClientCertificateFilePath))
        {
            handler.SslOptions.ClientCertificates = [ClientCertificate(config)];
        }
        return new ServiceProxy(client, handler);
    }

    /// <summary>The kubeconfig's client certificate and key (data or files, PEM), as a certificate TLS can present.</summary>
    private static System.Security.Cryptography.X509Certificates.X509Certificate2 ClientCertificate(k8s.KubernetesClientConfiguration config)
    {
        static string Pem(string? data, string? file) => !string.IsNullOrEmpty(data)
            ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data))
            : File.ReadAllText(file ?? throw new Engine.Providers.ProviderException("the kubeconfig's client certificate has no key"));
        using var pem = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
            Pem(config.ClientCertificateData, config.ClientCertificateFilePath), Pem(config.ClientCertificateKeyData, config.ClientKeyFilePath));
        // Through PKCS#12 so the key is usable by TLS on every platform (an ephemeral PEM key is not on Windows).
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(pem.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
    }

    /// <summary>The in-cluster address of a Service (what this handler rewrites).</summary>
    public static Uri ServiceUrl(string name, string @namespace, int port, string path = "") =>
        new($"http://{name}.{@namespace}{ClusterSuffix}:{port.ToString(CultureInfo.InvariantCulture)}/{path.TrimStart('/')}");

    /// <summary>Where the API server proxies <paramref name="serviceUrl"/>, under <paramref name="apiServer"/>.</summary>
    public static Uri ProxyUrl(Uri apiServer, Uri serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(apiServer);
        ArgumentNullException.ThrowIfNull(serviceUrl);
        var host = serviceUrl.Host;
        if (!host.EndsWith(ClusterSuffix, StringComparison.Ordinal) || host[..^ClusterSuffix.Length].Split('.') is not [var name, var ns])
        {
            throw new ArgumentException($"'{serviceUrl}' is not a Service address (<name>.<namespace>{ClusterSuffix})", nameof(serviceUrl));
        }
        var scheme = serviceUrl.Scheme == Uri.UriSchemeHttps ? "https" : "http";
        return new Uri($"{apiServer.AbsoluteUri.TrimEnd('/')}/api/v1/namespaces/{ns}/services/{scheme}:{name}:{serviceUrl.Port.ToString(CultureInfo.InvariantCulture)}/proxy{serviceUrl.PathAndQuery}");
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The Service's own bearer key (a gateway key) would be taken for the API server's: it travels in a header the
        // proxy passes on, and the API server gets the kubeconfig's credentials.
        var serviceAuthorization = request.Headers.Authorization;
        request.Headers.Authorization = null;
        request.RequestUri = ProxyUrl(_client.BaseUri, request.RequestUri!);
        if (_client.Credentials is { } credentials) await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (serviceAuthorization is not null) request.Headers.TryAddWithoutValidation("X-Api-Key", serviceAuthorization.Parameter);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
