using System.Net;
using System.Text.Json.Nodes;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Tailscale;

// Device tags: POST /api/v2/device/{deviceId}/tags {"tags": […]} sets the whole list; GET /api/v2/device/{deviceId}
// reads it back. The resource id is the device id; another device is another resource (replace).
public sealed partial class TailscaleProvider
{
    private static List<CheckFailure> CheckDeviceTags(JsonObject inputs)
    {
        var failures = CheckTags(inputs["tags"]).ToList();
        if (inputs["deviceId"] is not JsonValue v || !v.TryGetValue<string>(out var id) || string.IsNullOrWhiteSpace(id))
        {
            failures.Add(new CheckFailure("deviceId", "deviceId (the device's nodeId, or its legacy id) is required"));
        }
        return failures;
    }

    private static DiffResult? DiffDeviceTags(JsonObject oldInputs, JsonObject newInputs)
    {
        // Tags are a set: order does not matter.
        var oldTags = Strings(Reveal(oldInputs["tags"])).Order(StringComparer.Ordinal).ToList();
        var newTags = Strings(Reveal(newInputs["tags"])).Order(StringComparer.Ordinal).ToList();
        var changed = new List<string>();
        var detailed = new List<PropertyDiff>();
        var replace = new List<string>();
        if (!JsonNode.DeepEquals(oldInputs["deviceId"], newInputs["deviceId"]))
        {
            changed.Add("deviceId");
            replace.Add("deviceId");
            detailed.Add(new PropertyDiff("deviceId", DiffKind.UpdateReplace));
        }
        if (!oldTags.SequenceEqual(newTags))
        {
            changed.Add("tags");
            detailed.Add(new PropertyDiff("tags", DiffKind.Update));
        }
        return new DiffResult(changed, replace, detailed);
    }

    private static JsonNode? Reveal(JsonNode? node) => Engine.Model.PropertyValues.Reveal(node);

    private async Task<ProviderResult> SetDeviceTagsAsync(JsonObject inputs, CancellationToken cancellationToken)
    {
        var plain = Plain(inputs);
        var deviceId = plain["deviceId"]!.GetValue<string>();
        var tags = Strings(plain["tags"]).Distinct().Order(StringComparer.Ordinal).ToList();
        if (!await PostTagsAsync(deviceId, tags, cancellationToken).ConfigureAwait(false))
        {
            throw new ProviderException($"tailscale device '{deviceId}' was not found; check deviceId (the device's nodeId, from the admin console or `tailscale status --json`)");
        }
        return new ProviderResult(deviceId, new JsonObject { ["deviceId"] = deviceId, ["tags"] = StringArray(tags) });
    }

    private async Task ClearDeviceTagsAsync(string deviceId, CancellationToken cancellationToken)
    {
        // A device that is gone took its tags with it (false), which is what delete wants.
        _ = await PostTagsAsync(deviceId, [], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets the device's tags; false when the device does not exist.</summary>
    private async Task<bool> PostTagsAsync(string deviceId, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var path = $"/api/v2/device/{Uri.EscapeDataString(deviceId)}/tags";
        var body = new JsonObject { ["tags"] = StringArray(tags) };
        var response = await _api.SendAsync(HttpMethod.Post, path, body.ToJsonString(), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound) return false;
        if (!response.IsSuccess)
        {
            throw TailscaleApiClient.Failure(HttpMethod.Post, path, response,
                response.Status == HttpStatusCode.BadRequest ? "every tag must be owned in the policy file's tagOwners by the credentials' owner" : null);
        }
        return true;
    }

    private async Task<ProviderResult?> ReadDeviceTagsAsync(string deviceId, JsonObject inputs, CancellationToken cancellationToken)
    {
        var path = $"/api/v2/device/{Uri.EscapeDataString(deviceId)}";
        var response = await _api.SendAsync(HttpMethod.Get, path, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccess) throw TailscaleApiClient.Failure(HttpMethod.Get, path, response);
        var tags = Strings(response.Json()["tags"]).Order(StringComparer.Ordinal).ToList();
        var outputs = new JsonObject { ["deviceId"] = deviceId, ["tags"] = StringArray(tags) };
        var liveInputs = (JsonObject)inputs.DeepClone();
        liveInputs["tags"] = StringArray(tags);
        return new ProviderResult(deviceId, outputs, liveInputs);
    }
}
