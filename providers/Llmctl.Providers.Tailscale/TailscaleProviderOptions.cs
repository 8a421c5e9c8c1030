namespace Llmctl.Providers.Tailscale;

/// <summary>
/// How the provider reaches the Tailscale API. Built from stack config with <see cref="FromConfig"/> using Pulumi's
/// keys (<c>tailscale:apiKey</c>, <c>tailscale:oauthClientId</c>, <c>tailscale:oauthClientSecret</c>,
/// <c>tailscale:tailnet</c>, <c>tailscale:baseUrl</c>, <c>tailscale:scopes</c>), falling back to the
/// <c>TAILSCALE_*</c> environment variables the upstream provider reads.
/// </summary>
public sealed record TailscaleProviderOptions
{
    public const string DefaultBaseUrl = "https://api.tailscale.com";
    /// <summary>The tailnet that owns the credentials.</summary>
    public const string DefaultTailnet = "-";

    public const string ApiKeyKey = "tailscale:apiKey";
    public const string OAuthClientIdKey = "tailscale:oauthClientId";
    public const string OAuthClientSecretKey = "tailscale:oauthClientSecret";
    public const string TailnetKey = "tailscale:tailnet";
    public const string BaseUrlKey = "tailscale:baseUrl";
    public const string ScopesKey = "tailscale:scopes";

    public Uri BaseUrl { get; init; } = new(DefaultBaseUrl);
    /// <summary>Tailnet name (<c>example.com</c>, <c>tail1234.ts.net</c>) or <c>-</c> for the credentials' own.</summary>
    public string Tailnet { get; init; } = DefaultTailnet;
    /// <summary>An API access token (<c>tskey-api-…</c>); sent as the Basic user name, as the API docs say.</summary>
    public string? ApiKey { get; init; }
    public string? OAuthClientId { get; init; }
    public string? OAuthClientSecret { get; init; }
    /// <summary>Scopes asked for with the OAuth client; empty means all the client has.</summary>
    public IReadOnlyList<string> OAuthScopes { get; init; } = [];

    /// <summary>Retries after a 429 or a 5xx (or a dropped connection) before the operation fails.</summary>
    public int MaxRetries { get; init; } = 4;
    /// <summary>First backoff step when the server gives no <c>Retry-After</c>; doubles each attempt.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Ceiling for any one wait, <c>Retry-After</c> included.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    public bool UsesOAuth => !string.IsNullOrEmpty(OAuthClientId);

    /// <summary>
    /// Reads the provider keys from (decrypted) stack config; a key that is absent falls back to its environment
    /// variable. Throws <see cref="TailscaleConfigurationException"/> naming the keys to set when no credentials
    /// are given or when both kinds are.
    /// </summary>
    public static TailscaleProviderOptions FromConfig(IReadOnlyDictionary<string, string> config, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        environment ??= Environment.GetEnvironmentVariable;
        string? Get(string key, string env) =>
            config.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : NullIfEmpty(environment(env));

        var apiKey = Get(ApiKeyKey, "TAILSCALE_API_KEY");
        var clientId = Get(OAuthClientIdKey, "TAILSCALE_OAUTH_CLIENT_ID");
        var clientSecret = Get(OAuthClientSecretKey, "TAILSCALE_OAUTH_CLIENT_SECRET");
        var tailnet = Get(TailnetKey, "TAILSCALE_TAILNET") ?? DefaultTailnet;
        var baseUrl = Get(BaseUrlKey, "TAILSCALE_BASE_URL") ?? DefaultBaseUrl;
        var scopes = Get(ScopesKey, "TAILSCALE_SCOPES");

        if (apiKey is null && clientId is null)
        {
            throw new TailscaleConfigurationException(
                $"no Tailscale credentials: set '{ApiKeyKey}' (llmctl config set --secret {ApiKeyKey} tskey-api-…) or " +
                $"'{OAuthClientIdKey}' and '{OAuthClientSecretKey}', or the TAILSCALE_API_KEY / TAILSCALE_OAUTH_CLIENT_ID and TAILSCALE_OAUTH_CLIENT_SECRET variables");
        }
        if (apiKey is not null && clientId is not null)
        {
            throw new TailscaleConfigurationException($"both '{ApiKeyKey}' and '{OAuthClientIdKey}' are set; keep one kind of credential");
        }
        if (clientId is not null && clientSecret is null)
        {
            throw new TailscaleConfigurationException($"'{OAuthClientIdKey}' is set but '{OAuthClientSecretKey}' is not; set it as a secret");
        }
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new TailscaleConfigurationException($"'{BaseUrlKey}' is '{baseUrl}', which is not an http(s) URL; leave it unset for {DefaultBaseUrl}");
        }
        return new TailscaleProviderOptions
        {
            ApiKey = apiKey,
            OAuthClientId = clientId,
            OAuthClientSecret = clientSecret,
            Tailnet = tailnet,
            BaseUrl = uri,
            OAuthScopes = scopes?.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
        };
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    // Credentials stay out of logs and exception messages even when the record is printed.
    public override string ToString() =>
        $"TailscaleProviderOptions {{ BaseUrl = {BaseUrl}, Tailnet = {Tailnet}, Auth = {(UsesOAuth ? "oauth client " + OAuthClientId : ApiKey is null ? "none" : "api key")} }}";
}

/// <summary>The provider's configuration is incomplete or contradictory; the message names the config keys (exit code 2).</summary>
public sealed class TailscaleConfigurationException(string message) : Exception(message);
