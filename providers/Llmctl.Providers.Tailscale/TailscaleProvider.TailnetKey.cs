using System.Net;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Tailscale;

// Auth keys: POST /api/v2/tailnet/{tailnet}/keys, GET and DELETE …/keys/{id}. A key is immutable, so every input but
// recreateIfInvalid replaces it. The key itself is only ever returned by the create call; it is kept, secret, in the outputs.
public sealed partial class TailscaleProvider
{
    private const int MaxExpirySeconds = 90 * 24 * 60 * 60;

    private List<CheckFailure> CheckKey(JsonObject inputs)
    {
        var failures = CheckTags(inputs["tags"]).ToList();
        if (inputs["expiry"] is { } e && (Int64(e) is not { } seconds || seconds < 0 || seconds > MaxExpirySeconds))
        {
            failures.Add(new CheckFailure("expiry", $"expiry is in seconds, from 0 (the 90-day default) to {MaxExpirySeconds} (90 days)"));
        }
        if (inputs["recreateIfInvalid"]?.GetValue<string>() is { } r && r is not ("always" or "never"))
        {
            failures.Add(new CheckFailure("recreateIfInvalid", $"'{r}' is not 'always' or 'never'"));
        }
        if (_options.UsesOAuth && !Strings(inputs["tags"]).Any())
        {
            failures.Add(new CheckFailure("tags", "a key created with an OAuth client is owned by the tailnet and must have tags (those of the OAuth client or ones they own)"));
        }
        return failures;
    }

    private static DiffResult? DiffKey(JsonObject oldInputs, JsonObject newInputs)
    {
        var diffs = InputDiff.Compute(oldInputs, newInputs);
        if (diffs.Count == 0) return null;
        var marked = diffs.Select(d => InputDiff.TopLevelKey(d.Path) == "recreateIfInvalid"
            ? d
            : d with { Kind = d.Kind switch { DiffKind.Add => DiffKind.AddReplace, DiffKind.Delete => DiffKind.DeleteReplace, _ => DiffKind.UpdateReplace } }).ToList();
        var changed = marked.Select(d => InputDiff.TopLevelKey(d.Path)).Distinct().ToList();
        var replace = marked.Where(d => d.Kind.IsReplace()).Select(d => InputDiff.TopLevelKey(d.Path)).Distinct().ToList();
        return new DiffResult(changed, replace, marked);
    }

    private async Task<ProviderResult> CreateKeyAsync(JsonObject inputs, CancellationToken cancellationToken)
    {
        var plain = Plain(inputs);
        var create = new JsonObject
        {
            ["reusable"] = plain["reusable"]?.GetValue<bool>() ?? false,
            ["ephemeral"] = plain["ephemeral"]?.GetValue<bool>() ?? false,
            ["preauthorized"] = plain["preauthorized"]?.GetValue<bool>() ?? false,
            ["tags"] = StringArray(Strings(plain["tags"])),
        };
        var body = new JsonObject { ["capabilities"] = new JsonObject { ["devices"] = new JsonObject { ["create"] = create } } };
        if (Int64(plain["expiry"]) is > 0 and var expiry) body["expirySeconds"] = expiry;
        if (plain["description"]?.GetValue<string>() is { Length: > 0 } description) body["description"] = description;

        var response = await _api.SendOkAsync(HttpMethod.Post, $"/api/v2/tailnet/{_api.Tailnet}/keys", body.ToJsonString(),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var json = response.Json();
        var id = json["id"]?.GetValue<string>() ?? throw new ProviderException("the Tailscale API created a key but returned no id");
        var key = json["key"]?.GetValue<string>() ?? throw new ProviderException($"the Tailscale API created key {id} but returned no key");
        var outputs = MergeKeyOutputs(new JsonObject(), inputs);
        outputs["id"] = id;
        outputs["key"] = PropertyValues.Secret(JsonValue.Create(key));
        outputs["createdAt"] = json["created"]?.DeepClone();
        outputs["expiresAt"] = json["expires"]?.DeepClone();
        outputs["invalid"] = false;
        return new ProviderResult(id, outputs);
    }

    private async Task<ProviderResult?> ReadKeyAsync(string id, JsonObject inputs, JsonObject outputs, CancellationToken cancellationToken)
    {
        var path = $"/api/v2/tailnet/{_api.Tailnet}/keys/{Uri.EscapeDataString(id)}";
        var response = await _api.SendAsync(HttpMethod.Get, path, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccess) throw TailscaleApiClient.Failure(HttpMethod.Get, path, response);
        var json = response.Json();
        var invalid = json["invalid"]?.GetValue<bool>() == true
            || json["revoked"]?.GetValue<string>() is { Length: > 0 } revoked && !revoked.StartsWith("0001-01-01", StringComparison.Ordinal);
        var plain = Plain(inputs);
        if (invalid && RecreateIfInvalid(plain)) return null;

        var live = (JsonObject)outputs.DeepClone();
        live["id"] = id;
        live["createdAt"] = json["created"]?.DeepClone() ?? live["createdAt"]?.DeepClone();
        live["expiresAt"] = json["expires"]?.DeepClone() ?? live["expiresAt"]?.DeepClone();
        live["invalid"] = invalid;
        // The server never returns the key again; keep the one recorded at create (still secret).
        return new ProviderResult(id, live);
    }

    /// <summary>Upstream's rule: <c>always</c> and <c>never</c> as set; unset recreates reusable keys only.</summary>
    private static bool RecreateIfInvalid(JsonObject inputs) => inputs["recreateIfInvalid"]?.GetValue<string>() switch
    {
        "always" => true,
        "never" => false,
        _ => inputs["reusable"]?.GetValue<bool>() == true,
    };

    private async Task DeleteKeyAsync(string id, CancellationToken cancellationToken)
    {
        var path = $"/api/v2/tailnet/{_api.Tailnet}/keys/{Uri.EscapeDataString(id)}";
        var response = await _api.SendAsync(HttpMethod.Delete, path, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound) return;
        if (!response.IsSuccess) throw TailscaleApiClient.Failure(HttpMethod.Delete, path, response);
    }

    /// <summary>A whole number whether the node was parsed from JSON or built from an int in code.</summary>
    private static long? Int64(JsonNode? node) => node is JsonValue v
        ? v.TryGetValue<long>(out var l) ? l
        : v.TryGetValue<int>(out var i) ? i
        : v.TryGetValue<double>(out var d) && d == Math.Floor(d) ? (long)d
        : null
        : null;

    private static JsonObject MergeKeyOutputs(JsonObject outputs, JsonObject inputs)
    {
        var merged = (JsonObject)outputs.DeepClone();
        foreach (var name in new[] { "reusable", "ephemeral", "preauthorized", "tags", "expiry", "description", "recreateIfInvalid" })
        {
            if (inputs.TryGetPropertyValue(name, out var value)) merged[name] = value?.DeepClone();
        }
        return merged;
    }
}
