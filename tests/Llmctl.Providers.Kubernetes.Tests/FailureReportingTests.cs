using Llmctl.Engine.Providers;
using Llmctl.Testing;
using static Llmctl.Providers.Kubernetes.Tests.ProviderHarness;

namespace Llmctl.Providers.Kubernetes.Tests;

/// <summary>What the provider says when the server is not what it should be, or waiting fails after an apply landed.</summary>
public class FailureReportingTests
{
    [Fact]
    public async Task A_server_answering_200_html_is_a_provider_error_that_says_it_is_not_a_Kubernetes_API_server()
    {
        await using var html = new HtmlLoginPageServer();
        var provider = new KubernetesProvider(new KubernetesProviderOptions
        {
            Kubeconfig = html.Kubeconfig("html"),
            PollInterval = TimeSpan.FromMilliseconds(10),
            Retry = new RetrySettings { MaxAttempts = 1 },
        });
        var obj = Deployment("web");

        var e = await Assert.ThrowsAsync<ProviderException>(() => provider.CreateAsync(UrnOf(TypeOf(obj), "web"), TypeOf(obj), obj, Long, default));

        Assert.Contains("HTML", e.Message);
        Assert.Contains("not a Kubernetes API", e.Message);
        Assert.Contains(html.Url, e.Message);
    }

    [Fact]
    public async Task When_waiting_fails_after_the_apply_landed_the_applied_object_comes_with_the_failure()
    {
        await using var h = await StartAsync();
        var obj = Deployment("lane");
        // The apply lands; every readiness GET then fails with 503 (retries included).
        h.Server.FailNext("/deployments/lane$", count: 1000, status: 503, method: "GET");

        var e = await Assert.ThrowsAsync<PartialApplyException>(() => h.CreateAsync(obj));

        Assert.NotNull(h.Server.Get("Deployment", "default", "lane"));
        Assert.Equal("default/lane", e.Applied.Id);
        Assert.Equal("lane", e.Applied.Outputs["metadata"]!["name"]!.GetValue<string>());
        var cause = Assert.IsType<ProviderException>(e.InnerException);
        Assert.Contains("503", cause.Message);
    }

    [Fact]
    public async Task A_readiness_timeout_after_the_apply_landed_is_a_timeout_that_carries_the_applied_object()
    {
        await using var h = await StartAsync();
        var obj = Deployment("never-ready");

        var e = await Assert.ThrowsAsync<PartialApplyException>(() => h.CreateAsync(obj, TimeSpan.FromMilliseconds(200)));

        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.Contains("was not ready after", e.Message);
    }

    [Fact]
    public async Task Requests_that_stall_past_the_request_timeout_are_reported_as_request_timeouts_naming_the_setting()
    {
        await using var h = await StartAsync(o => o with
        {
            RequestTimeout = TimeSpan.FromMilliseconds(300),
            Retry = new RetrySettings { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(5) },
        });
        h.Server.DelayNext("/deployments/slow$", TimeSpan.FromSeconds(5), count: 10);
        var obj = Deployment("slow");

        var e = await Assert.ThrowsAsync<TimeoutException>(() => h.CreateAsync(obj, TimeSpan.FromMinutes(20)));

        Assert.Contains("0.3s", e.Message);
        Assert.Contains("kubernetes:requestTimeout", e.Message);
        Assert.Contains("2 attempts", e.Message);
        // Not the resource's own 20-minute timeout (the message names the server's URL, whose port may hold "20").
        Assert.DoesNotContain("00:20:00", e.Message);
        Assert.DoesNotContain("20m", e.Message);
    }

    [Theory]
    [InlineData("45", 45)]
    [InlineData("90s", 90)]
    [InlineData("2m", 120)]
    public void The_request_timeout_is_its_own_stack_setting(string value, int seconds)
    {
        var options = KubernetesProviderOptions.FromConfig(new Dictionary<string, string> { ["kubernetes:requestTimeout"] = value });
        Assert.Equal(TimeSpan.FromSeconds(seconds), options.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), KubernetesProviderOptions.FromConfig(new Dictionary<string, string>()).RequestTimeout);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0")]
    [InlineData("-5s")]
    public void A_bad_request_timeout_is_a_configuration_error_naming_the_key(string value)
    {
        var e = Assert.Throws<Llmctl.Engine.Config.ConfigException>(() =>
            KubernetesProviderOptions.FromConfig(new Dictionary<string, string> { ["kubernetes:requestTimeout"] = value }));
        Assert.Contains("kubernetes:requestTimeout", e.Message + string.Join("\n", e.Diagnostics));
    }
}
