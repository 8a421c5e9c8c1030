using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llmctl.Engine.Providers;
using Polly;

namespace Llmctl.Providers.Tailscale;

/// <summary>An answer from the API: status, body text and the ETag header, if any.</summary>
internal sealed record ApiResponse(HttpStatusCode Status, string Body, string? ETag)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    public JsonObject Json() => (string.IsNullOrWhiteSpace(Body) ? null : JsonNode.Parse(Body) as JsonObject) ?? new JsonObject();
}

/// <summary>
/// The Tailscale API v2 over one <see cref="HttpClient"/>: authentication (API key as Basic user name, or an OAuth
/// client's access token as Bearer), retries for 429 and 5xx, and errors as <see cref="ProviderException"/>s whose
/// text never holds a key (anything shaped like <c>tskey-…</c> is redacted).
/// </summary>
internal sealed partial class TailscaleApiClient
{
    private readonly HttpClient _http;
    private readonly TailscaleProviderOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly OAuthTokenSource? _oauth;

    public TailscaleApiClient(HttpClient http, TailscaleProviderOptions options)
    {
        _http = http;
        _options = options;
        _retry = TailscaleRetry.Pipeline(options);
        if (options.UsesOAuth) _oauth = new OAuthTokenSource(http, options, _retry);
    }

    public string Tailnet => Uri.EscapeDataString(_options.Tailnet);

    /// <summary>Sends a request built fresh for each attempt; returns the answer whatever its status.</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? body = null, string? contentType = null,
        IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        for (var authAttempt = 0; ; authAttempt++)
        {
            var auth = await AuthorizationAsync(cancellationToken).ConfigureAwait(false);
            using var response = await _retry.ExecuteAsync(async ct =>
            {
                using var request = new HttpRequestMessage(method, new Uri(_options.BaseUrl, path));
                request.Headers.Authorization = auth;
                if (headers is not null)
                {
                    foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
                }
                if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType ?? "application/json");
                return await _http.SendAsync(request, ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            // A token revoked or expired early: fetch a new one once.
            if (response.StatusCode == HttpStatusCode.Unauthorized && _oauth is not null && authAttempt == 0)
            {
                _oauth.Invalidate();
                continue;
            }
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return new ApiResponse(response.StatusCode, text, response.Headers.ETag?.ToString());
        }
    }

    /// <summary>Sends and throws a <see cref="ProviderException"/> for anything but 2xx.</summary>
    public async Task<ApiResponse> SendOkAsync(HttpMethod method, string path, string? body = null, string? contentType = null,
        IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(method, path, body, contentType, headers, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess) throw Failure(method, path, response);
        return response;
    }

    public static ProviderException Failure(HttpMethod method, string path, ApiResponse response, string? hint = null)
    {
        var detail = ErrorMessage(response.Body);
        var status = (int)response.Status;
        var what = response.Status switch
        {
            HttpStatusCode.Unauthorized => "the credentials were refused; check tailscale:apiKey or the OAuth client (expired or revoked?)",
            HttpStatusCode.Forbidden => "the credentials lack permission; an OAuth client needs the scope for this call (auth_keys, policy_file, devices:core)",
            _ => null,
        };
        var parts = new[] { detail, what, hint }.Where(p => !string.IsNullOrWhiteSpace(p));
        return new ProviderException(Redact($"tailscale API {method} {path} returned {status}: {string.Join("; ", parts)}"));
    }

    /// <summary>Blanks anything shaped like a Tailscale key or client secret.</summary>
    public static string Redact(string text) => KeyPattern().Replace(text, "tskey-[redacted]");

    private static string ErrorMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "(empty body)";
        try
        {
            if (JsonNode.Parse(body) is JsonObject o && o["message"]?.GetValue<string>() is { Length: > 0 } message)
            {
                return o["data"] is { } data ? $"{message} {data.ToJsonString()}" : message;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return body.Length > 500 ? body[..500] + "…" : body;
    }

    private async Task<AuthenticationHeaderValue> AuthorizationAsync(CancellationToken cancellationToken)
    {
        if (_oauth is not null) return new AuthenticationHeaderValue("Bearer", await _oauth.GetTokenAsync(cancellationToken).ConfigureAwait(false));
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes((_options.ApiKey ?? "") + ":"));
        return new AuthenticationHeaderValue("Basic", basic);
    }

    [GeneratedRegex("tskey-[A-Za-z0-9_-]+")]
    private static partial Regex KeyPattern();
}

/// <summary>
/// OAuth client credentials against <c>/api/v2/oauth/token</c>; the access token is reused until a minute before
/// it expires.
/// </summary>
internal sealed class OAuthTokenSource(HttpClient http, TailscaleProviderOptions options, ResiliencePipeline<HttpResponseMessage> retry)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _expires;

    public void Invalidate() => _token = null;

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is not null && DateTimeOffset.UtcNow < _expires) return _token;
            var form = new List<KeyValuePair<string, string>>
            {
                new("client_id", options.OAuthClientId!),
                new("client_secret", options.OAuthClientSecret!),
                new("grant_type", "client_credentials"),
            };
            if (options.OAuthScopes.Count > 0) form.Add(new("scope", string.Join(' ', options.OAuthScopes)));
            using var response = await retry.ExecuteAsync(async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.BaseUrl, "/api/v2/oauth/token"))
                {
                    Content = new FormUrlEncodedContent(form),
                };
                return await http.SendAsync(request, ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ProviderException(TailscaleApiClient.Redact(
                    $"the OAuth client '{options.OAuthClientId}' could not get an access token ({(int)response.StatusCode}); check tailscale:oauthClientId and tailscale:oauthClientSecret"));
            }
            var json = JsonNode.Parse(body) as JsonObject;
            var token = json?["access_token"]?.GetValue<string>()
                ?? throw new ProviderException("the OAuth token response had no access_token");
            var lifetime = json["expires_in"]?.GetValue<int>() is { } seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
            _token = token;
            _expires = DateTimeOffset.UtcNow + lifetime - TimeSpan.FromMinutes(1);
            return token;
        }
        finally
        {
            _gate.Release();
        }
    }
}
