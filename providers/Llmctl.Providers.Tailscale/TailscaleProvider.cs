using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Tailscale;

/// <summary>
/// The <c>tailscale</c> package: <see cref="TailnetKey"/>, <see cref="Acl"/> and <see cref="DeviceTags"/> over the
/// Tailscale API v2. Register it with <c>registry.Register(TailscaleProvider.Package, provider)</c>.
/// </summary>
public sealed partial class TailscaleProvider : IProvider
{
    public const string Package = TailscaleTypes.Package;

    private readonly TailscaleApiClient _api;
    private readonly TailscaleProviderOptions _options;

    /// <param name="options">Endpoint, tailnet and credentials (see <see cref="TailscaleProviderOptions.FromConfig"/>).</param>
    /// <param name="http">The client to send with; one with a 100 s timeout is made when none is given.</param>
    public TailscaleProvider(TailscaleProviderOptions options, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _api = new TailscaleApiClient(http ?? new HttpClient(), options);
    }

    public Task<IReadOnlyList<CheckFailure>> CheckAsync(Urn urn, string type, JsonObject inputs, CancellationToken cancellationToken)
    {
        var plain = Plain(inputs);
        IReadOnlyList<CheckFailure> failures = type switch
        {
            TailscaleTypes.TailnetKey => CheckKey(plain),
            TailscaleTypes.Acl => CheckAcl(plain),
            TailscaleTypes.DeviceTags => CheckDeviceTags(plain),
            _ => [new CheckFailure("", $"the tailscale provider does not know the type {type}")],
        };
        return Task.FromResult(failures);
    }

    public Task<DiffResult?> DiffAsync(Urn urn, string type, string? id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, CancellationToken cancellationToken) =>
        Task.FromResult(type switch
        {
            TailscaleTypes.TailnetKey => DiffKey(oldInputs, newInputs),
            TailscaleTypes.DeviceTags => DiffDeviceTags(oldInputs, newInputs),
            _ => null,
        });

    public Task<ProviderResult> CreateAsync(Urn urn, string type, JsonObject inputs, TimeSpan timeout, CancellationToken cancellationToken) => type switch
    {
        TailscaleTypes.TailnetKey => CreateKeyAsync(inputs, cancellationToken),
        TailscaleTypes.Acl => CreateAclAsync(inputs, cancellationToken),
        TailscaleTypes.DeviceTags => SetDeviceTagsAsync(inputs, cancellationToken),
        _ => throw Unknown(type),
    };

    public Task<ProviderResult> UpdateAsync(Urn urn, string type, string id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, TimeSpan timeout, CancellationToken cancellationToken) => type switch
    {
        // Only recreateIfInvalid can change in place; it is llmctl's own setting, so nothing is sent.
        TailscaleTypes.TailnetKey => Task.FromResult(new ProviderResult(id, MergeKeyOutputs(oldOutputs, newInputs))),
        TailscaleTypes.Acl => UpdateAclAsync(id, oldOutputs, newInputs, cancellationToken),
        TailscaleTypes.DeviceTags => SetDeviceTagsAsync(newInputs, cancellationToken),
        _ => throw Unknown(type),
    };

    public Task DeleteAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, TimeSpan timeout, CancellationToken cancellationToken) => type switch
    {
        TailscaleTypes.TailnetKey => DeleteKeyAsync(id, cancellationToken),
        TailscaleTypes.Acl => Task.CompletedTask,
        TailscaleTypes.DeviceTags => ClearDeviceTagsAsync(id, cancellationToken),
        _ => throw Unknown(type),
    };

    public Task<ProviderResult?> ReadAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, CancellationToken cancellationToken) => type switch
    {
        TailscaleTypes.TailnetKey => ReadKeyAsync(id, inputs, outputs, cancellationToken),
        TailscaleTypes.Acl => ReadAclAsync(id, inputs, cancellationToken),
        TailscaleTypes.DeviceTags => ReadDeviceTagsAsync(id, inputs, cancellationToken),
        _ => throw Unknown(type),
    };

    /// <summary>Inputs with secret wrappers removed, for sending; never logged.</summary>
    private static JsonObject Plain(JsonObject inputs) => (JsonObject)PropertyValues.Reveal(inputs)!;

    private static ProviderException Unknown(string type) => new($"the tailscale provider does not know the type {type}");

    private static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(n => n?.GetValue<string>()).OfType<string>() : [];

    private static JsonArray StringArray(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static IEnumerable<CheckFailure> CheckTags(JsonNode? tags) =>
        Strings(tags).Where(t => !t.StartsWith("tag:", StringComparison.Ordinal) || t.Length == 4)
            .Select(t => new CheckFailure("tags", $"'{t}' is not a tag; tags are written tag:<name> (tag:k3s) and must be owned in the policy file's tagOwners"));
}
