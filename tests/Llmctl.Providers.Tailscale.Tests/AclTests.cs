using Llmctl.Components.Tailscale;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Llmctl.Providers.Tailscale.Tests;

public sealed class AclTests : IDisposable
{
    private const string AclPath = "/api/v2/tailnet/example.com/acl";
    private const string Policy = """
        // llmctl-managed
        {
          "tagOwners": {"tag:k3s": ["autogroup:admin"]},
          "acls": [{"action": "accept", "src": ["tag:k3s"], "dst": ["tag:k3s:*"]}],
        }
        """;
    private readonly TailscaleHarness _ts = TailscaleHarness.WithApiKey("example.com");

    public void Dispose() => _ts.Dispose();

    private void GivenValidationPasses() =>
        _ts.Server.Given(Request.Create().WithPath($"{AclPath}/validate").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody("{}"));

    private void GivenWriteAnswers(string ifMatch, string newETag) =>
        _ts.Server.Given(Request.Create().WithPath(AclPath).UsingPost().WithHeader("If-Match", ifMatch))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("ETag", newETag).WithBody(Policy));

    private void GivenAnyOtherWriteIsStale() =>
        _ts.Server.Given(Request.Create().WithPath(AclPath).UsingPost()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(412).WithBody("""{"message":"precondition failed, invalid old hash"}"""));

    [Fact]
    public async Task Creating_the_policy_file_only_replaces_the_untouched_default()
    {
        GivenValidationPasses();
        GivenWriteAnswers("\"ts-default\"", "\"etag-1\"");

        var (_, result) = await _ts.UpAsync(_ => new Acl("policy", new AclArgs { Policy = Policy }));

        Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Message)));
        Assert.Equal(Policy, _ts.Requests("POST", AclPath).Single().RequestMessage.Body);
        Assert.Equal("\"etag-1\"", _ts.State(Acl.TypeToken).Outputs["etag"]!.GetValue<string>());
        Assert.Single(_ts.Requests("POST", $"{AclPath}/validate"));
    }

    [Fact]
    public async Task An_update_sends_the_etag_of_the_last_write_and_succeeds_when_it_still_matches()
    {
        GivenValidationPasses();
        GivenWriteAnswers("\"ts-default\"", "\"etag-1\"");
        await _ts.UpAsync(_ => new Acl("policy", new AclArgs { Policy = Policy }));
        GivenWriteAnswers("\"etag-1\"", "\"etag-2\"");

        var (_, result) = await _ts.UpAsync(_ => new Acl("policy", new AclArgs { Policy = Policy + "\n// v2" }));

        Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Message)));
        var update = _ts.Requests("POST", AclPath).Last().RequestMessage;
        Assert.Equal("\"etag-1\"", update.Headers!["If-Match"].Single());
        Assert.EndsWith("// v2", update.Body);
        Assert.Equal("\"etag-2\"", _ts.State(Acl.TypeToken).Outputs["etag"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_concurrent_edit_of_the_policy_file_fails_the_update_with_a_412_that_says_to_refresh_and_up_again()
    {
        GivenValidationPasses();
        GivenWriteAnswers("\"ts-default\"", "\"etag-1\"");
        await _ts.UpAsync(_ => new Acl("policy", new AclArgs { Policy = Policy }));
        // Someone edits the file in the admin console: its ETag is now etag-9, so If-Match "etag-1" is refused.
        GivenWriteAnswers("\"etag-9\"", "\"etag-10\"");
        GivenAnyOtherWriteIsStale();

        var (_, result) = await _ts.UpAsync(_ => new Acl("policy", new AclArgs { Policy = Policy + "\n// v2" }));

        var failure = Assert.Single(result.Failures);
        Assert.Contains("412", failure.Message);
        Assert.Contains("someone else changed the tailnet policy file since llmctl last read it", failure.Message);
        Assert.Contains("llmctl refresh", failure.Message);
        Assert.Contains("llmctl up", failure.Message);
        // Nothing was overwritten, and the checkpoint still holds what llmctl last wrote.
        Assert.Equal("\"etag-1\"", _ts.State(Acl.TypeToken).Outputs["etag"]!.GetValue<string>());
    }

    [Fact]
    public async Task After_a_refresh_reads_the_other_edit_the_next_up_writes_with_the_new_etag()
    {
        GivenValidationPasses();
        GivenWriteAnswers("\"ts-default\"", "\"etag-1\"");
        await _ts.UpAsync(_ => new Acl("policy", new AclArgs { Policy = Policy }));
        _ts.Server.Given(Request.Create().WithPath(AclPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("ETag", "\"etag-9\"").WithBody(Policy + "\n// edited in the console"));
        GivenWriteAnswers("\"etag-9\"", "\"etag-10\"");
        GivenAnyOtherWriteIsStale();

        await _ts.RefreshAsync();
        var (plan, result) = await _ts.UpAsync(_ => new Acl("policy", new AclArgs { Policy = Policy }));

        Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Message)));
        Assert.Equal(Engine.Planning.StepOp.Update, plan.Steps.Single(s => s.Type == Acl.TypeToken).Op);
        Assert.Equal("\"etag-10\"", _ts.State(Acl.TypeToken).Outputs["etag"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_policy_file_that_does_not_validate_is_never_written_and_the_error_says_why()
    {
        _ts.Server.Given(Request.Create().WithPath($"{AclPath}/validate").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"message":"test(s) failed","data":[{"user":"tag:k3s","errors":["want: Accept, got: Drop"]}]}"""));

        var (_, result) = await _ts.UpAsync(_ => new Acl("policy", new AclArgs { Policy = Policy }));

        var failure = Assert.Single(result.Failures);
        Assert.Contains("does not validate: test(s) failed", failure.Message);
        Assert.Contains("want: Accept, got: Drop", failure.Message);
        Assert.Empty(_ts.Requests("POST", AclPath));
    }
}
