using System.Diagnostics;
using Llmctl.Engine.Providers;
using static Llmctl.Providers.Kubernetes.Tests.ProviderHarness;

namespace Llmctl.Providers.Kubernetes.Tests;

public class DeleteAndFaultTests
{
    [Fact]
    public async Task A_delete_waits_until_the_object_is_gone()
    {
        await using var h = await StartAsync();
        var obj = Deployment("web", replicas: 0);
        var created = await h.CreateAsync(obj);
        h.Server.DeleteDelay("Deployment", TimeSpan.FromMilliseconds(150));

        var clock = Stopwatch.StartNew();
        await h.Provider.DeleteAsync(UrnOf(TypeOf(obj), "web"), TypeOf(obj), created.Id, obj, created.Outputs, Long, default);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(140), $"returned after {clock.Elapsed}");
        Assert.Null(h.Server.Get("Deployment", "default", "web"));
        Assert.Contains(h.Server.Requests, r => r.Method == "DELETE" && r.Query.Contains("propagationPolicy=Foreground"));
    }

    [Fact]
    public async Task Deleting_what_is_already_gone_succeeds()
    {
        await using var h = await StartAsync();
        var obj = Deployment("never", replicas: 0);
        await h.Provider.DeleteAsync(UrnOf(TypeOf(obj), "never"), TypeOf(obj), "default/never", obj, new(), Long, default);
        Assert.Contains(h.Server.Requests, r => r is { Method: "DELETE", StatusCode: 404 });
    }

    [Fact]
    public async Task A_delete_that_never_finishes_times_out_saying_so()
    {
        await using var h = await StartAsync();
        var obj = Deployment("stuck", replicas: 0);
        var created = await h.CreateAsync(obj);
        h.Server.DeleteDelay("Deployment", TimeSpan.FromHours(1));
        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            h.Provider.DeleteAsync(UrnOf(TypeOf(obj), "stuck"), TypeOf(obj), created.Id, obj, created.Outputs, TimeSpan.FromMilliseconds(150), default));
        Assert.Contains("still exists", e.Message);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task Transient_status_codes_are_retried_until_the_apply_succeeds(int status)
    {
        await using var h = await StartAsync();
        var fault = h.Server.FailNext("/deployments/web$", count: 2, status: status, method: "PATCH");
        await h.CreateAsync(Deployment("web", replicas: 0));
        Assert.Equal(2, fault.Hits);
        Assert.NotNull(h.Server.Get("Deployment", "default", "web"));
    }

    [Fact]
    public async Task Connection_resets_are_retried()
    {
        await using var h = await StartAsync();
        var fault = h.Server.AbortNext("/deployments/web$", count: 2);
        await h.CreateAsync(Deployment("web", replicas: 0));
        Assert.Equal(2, fault.Hits);
        Assert.NotNull(h.Server.Get("Deployment", "default", "web"));
    }

    [Fact]
    public async Task A_request_that_times_out_is_retried()
    {
        await using var h = await StartAsync(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(200) });
        var fault = h.Server.DelayNext("/deployments/web$", TimeSpan.FromSeconds(1), count: 1, method: "PATCH");
        await h.CreateAsync(Deployment("web", replicas: 0));
        Assert.Equal(1, fault.Hits);
        Assert.NotNull(h.Server.Get("Deployment", "default", "web"));
    }

    [Fact]
    public async Task A_persistent_server_error_ends_in_a_provider_exception_after_the_configured_attempts()
    {
        await using var h = await StartAsync();
        var fault = h.Server.FailNext("/deployments/web$", count: 100, status: 500, method: "PATCH");
        var e = await Assert.ThrowsAsync<ProviderException>(() => h.CreateAsync(Deployment("web", replicas: 0)));
        Assert.Contains("500", e.Message);
        Assert.Equal(4, fault.Hits);
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        await using var h = await StartAsync();
        var fault = h.Server.FailNext("/deployments/web$", count: 100, status: 400, method: "PATCH");
        await Assert.ThrowsAsync<ProviderException>(() => h.CreateAsync(Deployment("web", replicas: 0)));
        Assert.Equal(1, fault.Hits);
    }
}
