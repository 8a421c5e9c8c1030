using System.Net;
using System.Text.Json.Nodes;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Tailscale;

// The policy file: GET /api/v2/tailnet/{tailnet}/acl answers with an ETag; POST …/acl with If-Match replaces the
// whole file only if nobody changed it since that read. The ETag of the last read or write is kept in the outputs.
public sealed partial class TailscaleProvider
{
    /// <summary>Pulumi's default for the id of the (one per tailnet) policy file resource.</summary>
    private const string AclId = "acl";

    private static List<CheckFailure> CheckAcl(JsonObject inputs)
    {
        var failures = new List<CheckFailure>();
        if (inputs["acl"] is not JsonValue v || !v.TryGetValue<string>(out var text) || string.IsNullOrWhiteSpace(text))
        {
            failures.Add(new CheckFailure("acl", "acl is the whole tailnet policy file as a JSON or HuJSON string, and it is required"));
        }
        return failures;
    }

    private async Task<ProviderResult> CreateAclAsync(JsonObject inputs, CancellationToken cancellationToken)
    {
        var plain = Plain(inputs);
        string ifMatch;
        string? hint;
        if (plain["overwriteExistingContent"]?.GetValue<bool>() == true)
        {
            var current = await GetAclAsync(cancellationToken).ConfigureAwait(false);
            ifMatch = current.ETag ?? "\"ts-default\"";
            hint = "the policy file changed between llmctl's read and its write; run `llmctl up` again";
        }
        else
        {
            // Only take over a policy file nobody has edited yet (the tailnet's untouched default).
            ifMatch = "\"ts-default\"";
            hint = "the tailnet policy file is no longer the untouched default, so llmctl will not overwrite it; " +
                "copy its content into the acl input and set overwriteExistingContent: true (or import it) to manage it";
        }
        return await WriteAclAsync(plain, ifMatch, hint, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProviderResult> UpdateAclAsync(string id, JsonObject oldOutputs, JsonObject newInputs, CancellationToken cancellationToken)
    {
        var plain = Plain(newInputs);
        var etag = oldOutputs["etag"]?.GetValue<string>();
        if (string.IsNullOrEmpty(etag))
        {
            etag = (await GetAclAsync(cancellationToken).ConfigureAwait(false)).ETag ?? "\"ts-default\"";
        }
        const string hint = "someone else changed the tailnet policy file since llmctl last read it (in the admin console, " +
            "another tool or another stack), so it was not overwritten; run `llmctl refresh` to read the current file, " +
            "bring its changes into the acl input, then run `llmctl up` again";
        return await WriteAclAsync(plain, etag, hint, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProviderResult> WriteAclAsync(JsonObject plain, string ifMatch, string preconditionHint, CancellationToken cancellationToken)
    {
        var acl = plain["acl"]!.GetValue<string>();
        if (plain["validate"]?.GetValue<bool>() ?? true) await ValidateAclAsync(acl, cancellationToken).ConfigureAwait(false);

        var path = $"/api/v2/tailnet/{_api.Tailnet}/acl";
        var response = await _api.SendAsync(HttpMethod.Post, path, acl, "application/hujson",
            new Dictionary<string, string> { ["If-Match"] = ifMatch, ["Accept"] = "application/hujson" }, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.PreconditionFailed)
        {
            throw new ProviderException($"tailscale policy file for tailnet '{_options.Tailnet}' was not updated (412 Precondition Failed): {preconditionHint}");
        }
        if (!response.IsSuccess) throw TailscaleApiClient.Failure(HttpMethod.Post, path, response);
        var etag = response.ETag ?? (await GetAclAsync(cancellationToken).ConfigureAwait(false)).ETag;
        return new ProviderResult(AclId, AclOutputs(plain, etag));
    }

    private async Task ValidateAclAsync(string acl, CancellationToken cancellationToken)
    {
        var path = $"/api/v2/tailnet/{_api.Tailnet}/acl/validate";
        var response = await _api.SendOkAsync(HttpMethod.Post, path, acl, "application/hujson", cancellationToken: cancellationToken).ConfigureAwait(false);
        // 200 even for a broken file or failing tests: a non-empty message says what is wrong.
        var json = response.Json();
        if (json["message"]?.GetValue<string>() is { Length: > 0 } message)
        {
            var data = json["data"] is { } d ? " " + d.ToJsonString() : "";
            throw new ProviderException(TailscaleApiClient.Redact($"the tailnet policy file in acl does not validate: {message}{data}"));
        }
    }

    private async Task<ProviderResult?> ReadAclAsync(string id, JsonObject inputs, CancellationToken cancellationToken)
    {
        var current = await GetAclAsync(cancellationToken).ConfigureAwait(false);
        var plain = Plain(inputs);
        var live = AclOutputs(plain, current.ETag);
        // When the live file differs from what llmctl wrote, the refreshed outputs (and inputs) show it.
        live["acl"] = current.Body;
        var liveInputs = (JsonObject)inputs.DeepClone();
        liveInputs["acl"] = current.Body;
        return new ProviderResult(id, live, liveInputs);
    }

    private async Task<ApiResponse> GetAclAsync(CancellationToken cancellationToken) =>
        await _api.SendOkAsync(HttpMethod.Get, $"/api/v2/tailnet/{_api.Tailnet}/acl",
            headers: new Dictionary<string, string> { ["Accept"] = "application/hujson" }, cancellationToken: cancellationToken).ConfigureAwait(false);

    private static JsonObject AclOutputs(JsonObject plain, string? etag)
    {
        var outputs = new JsonObject();
        foreach (var (key, value) in plain) outputs[key] = value?.DeepClone();
        outputs["etag"] = etag;
        return outputs;
    }
}
