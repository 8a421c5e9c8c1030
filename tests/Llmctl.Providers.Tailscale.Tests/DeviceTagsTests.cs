using System.Text.Json.Nodes;
using Llmctl.Engine.Planning;
using Llmctl.Components.Tailscale;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Llmctl.Providers.Tailscale.Tests;

public sealed class DeviceTagsTests : IDisposable
{
    private const string TagsPath = "/api/v2/device/nWqeZf5CNTRL/tags";
    private readonly TailscaleHarness _ts = TailscaleHarness.WithApiKey();

    public void Dispose() => _ts.Dispose();

    [Fact]
    public async Task Device_tags_are_posted_as_the_whole_sorted_set()
    {
        _ts.Server.Given(Request.Create().WithPath(TagsPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(200));

        var (_, result) = await _ts.UpAsync(_ => new DeviceTags("gpu-worker", new DeviceTagsArgs { DeviceId = "nWqeZf5CNTRL", Tags = ["tag:k3s", "tag:gpu"] }));

        Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Message)));
        var body = JsonNode.Parse(_ts.Requests("POST", TagsPath).Single().RequestMessage.Body!)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"tags":["tag:gpu","tag:k3s"]}"""), body), body.ToJsonString());
        Assert.Equal("nWqeZf5CNTRL", _ts.State(DeviceTags.TypeToken).Id);
    }

    [Fact]
    public async Task Another_device_id_replaces_the_resource_while_new_tags_update_it()
    {
        _ts.Server.Given(Request.Create().WithPath(TagsPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        await _ts.UpAsync(_ => new DeviceTags("gpu-worker", new DeviceTagsArgs { DeviceId = "nWqeZf5CNTRL", Tags = ["tag:k3s"] }));

        var retag = await _ts.PreviewAsync(_ => new DeviceTags("gpu-worker", new DeviceTagsArgs { DeviceId = "nWqeZf5CNTRL", Tags = ["tag:gpu"] }));
        var move = await _ts.PreviewAsync(_ => new DeviceTags("gpu-worker", new DeviceTagsArgs { DeviceId = "nOther1CNTRL", Tags = ["tag:k3s"] }));

        Assert.Equal(StepOp.Update, retag.Steps.Single(s => s.Type == DeviceTags.TypeToken).Op);
        Assert.Equal(StepOp.Replace, move.Steps.Single(s => s.Type == DeviceTags.TypeToken).Op);
    }

    [Fact]
    public async Task An_unknown_device_fails_with_a_message_naming_the_device()
    {
        _ts.Server.Given(Request.Create().WithPath("/api/v2/device/nGone1CNTRL/tags").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(404).WithBody("""{"message":"not found"}"""));

        var (_, result) = await _ts.UpAsync(_ => new DeviceTags("gone", new DeviceTagsArgs { DeviceId = "nGone1CNTRL", Tags = ["tag:k3s"] }));

        Assert.Contains("tailscale device 'nGone1CNTRL' was not found", Assert.Single(result.Failures).Message);
    }

    [Fact]
    public async Task Refresh_reads_the_live_tags_back_from_the_device()
    {
        _ts.Server.Given(Request.Create().WithPath(TagsPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        _ts.Server.Given(Request.Create().WithPath("/api/v2/device/nWqeZf5CNTRL").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"nodeId":"nWqeZf5CNTRL","tags":["tag:k3s","tag:manual"]}"""));
        await _ts.UpAsync(_ => new DeviceTags("gpu-worker", new DeviceTagsArgs { DeviceId = "nWqeZf5CNTRL", Tags = ["tag:k3s"] }));

        var refresh = await _ts.RefreshAsync();

        Assert.Equal(StepOp.Update, refresh.Plan.Steps.Single(s => s.Type == DeviceTags.TypeToken).Op);
        Assert.Equal(["tag:k3s", "tag:manual"], _ts.State(DeviceTags.TypeToken).Outputs["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
    }
}
