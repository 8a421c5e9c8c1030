using System.Net;
using System.Net.Http.Headers;
using Llmctl.Components.Tailscale;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Llmctl.Providers.Tailscale.Tests;

public sealed class RetryTests
{
    private const string TagsPath = "/api/v2/device/nWqeZf5CNTRL/tags";

    [Fact]
    public async Task A_429_is_retried_and_the_operation_then_succeeds()
    {
        using var ts = TailscaleHarness.WithApiKey();
        ts.Server.Given(Request.Create().WithPath(TagsPath).UsingPost()).InScenario("rate").WillSetStateTo("limited-once")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "0").WithBody("""{"message":"rate limited"}"""));
        ts.Server.Given(Request.Create().WithPath(TagsPath).UsingPost()).InScenario("rate").WhenStateIs("limited-once")
            .RespondWith(Response.Create().WithStatusCode(200));

        var (_, result) = await ts.UpAsync(_ => new DeviceTags("d", new DeviceTagsArgs { DeviceId = "nWqeZf5CNTRL", Tags = ["tag:k3s"] }));

        Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Message)));
        Assert.Equal(2, ts.Requests("POST", TagsPath).Count());
    }

    [Fact]
    public async Task A_server_error_that_persists_fails_after_the_configured_retries_with_the_status_in_the_message()
    {
        using var ts = TailscaleHarness.WithApiKey();
        ts.Server.Given(Request.Create().WithPath(TagsPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(503).WithBody("""{"message":"try later"}"""));

        var (_, result) = await ts.UpAsync(_ => new DeviceTags("d", new DeviceTagsArgs { DeviceId = "nWqeZf5CNTRL", Tags = ["tag:k3s"] }));

        Assert.Contains("returned 503: try later", Assert.Single(result.Failures).Message);
        Assert.Equal(1 + ts.Options.MaxRetries, ts.Requests("POST", TagsPath).Count());
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        using var ts = TailscaleHarness.WithApiKey();
        ts.Server.Given(Request.Create().WithPath(TagsPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithBody("""{"message":"tag not permitted"}"""));

        var (_, result) = await ts.UpAsync(_ => new DeviceTags("d", new DeviceTagsArgs { DeviceId = "nWqeZf5CNTRL", Tags = ["tag:k3s"] }));

        Assert.Contains("tagOwners", Assert.Single(result.Failures).Message);
        Assert.Single(ts.Requests("POST", TagsPath));
    }

    [Fact]
    public void Retry_after_in_seconds_wins_over_the_backoff()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));

        var delay = TailscaleRetry.Delay(response, attempt: 0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), DateTimeOffset.UnixEpoch);

        Assert.Equal(TimeSpan.FromSeconds(7), delay);
    }

    [Fact]
    public void Retry_after_as_a_date_waits_until_that_date_and_never_beyond_the_ceiling()
    {
        var now = new DateTimeOffset(2026, 5, 1, 10, 0, 0, TimeSpan.Zero);
        using var soon = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        soon.Headers.RetryAfter = new RetryConditionHeaderValue(now.AddSeconds(3));
        using var late = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        late.Headers.RetryAfter = new RetryConditionHeaderValue(now.AddHours(1));

        Assert.Equal(TimeSpan.FromSeconds(3), TailscaleRetry.Delay(soon, 0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), now));
        Assert.Equal(TimeSpan.FromSeconds(60), TailscaleRetry.Delay(late, 0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), now));
    }

    [Fact]
    public void Without_retry_after_the_backoff_doubles_each_attempt()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadGateway);

        var delays = Enumerable.Range(0, 4).Select(a => TailscaleRetry.Delay(response, a, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), DateTimeOffset.UnixEpoch));

        Assert.Equal([1, 2, 4, 8], delays.Select(d => (int)d.TotalSeconds));
    }
}
