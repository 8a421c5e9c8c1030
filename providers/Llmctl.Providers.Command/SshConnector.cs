using System.Net.Sockets;
using System.Text;
using Llmctl.Engine.Providers;
using Polly;
using Polly.Retry;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Llmctl.Providers.Command;

/// <summary>
/// Opens SSH sessions: key or password authentication, host keys verified by <see cref="HostKeyVerifier"/>, dials
/// retried with exponential backoff up to <c>dialErrorLimit</c> failures, each limited to <c>perDialTimeout</c>.
/// A refused host key and a failed authentication are not retried: waiting does not change them.
/// </summary>
internal sealed class SshConnector(CommandProviderOptions options)
{
    public Task<SshClient> ConnectSshAsync(ConnectionInputs connection, CancellationToken cancellationToken) =>
        ConnectAsync(connection, info => new SshClient(info), cancellationToken);

    public Task<SftpClient> ConnectSftpAsync(ConnectionInputs connection, CancellationToken cancellationToken) =>
        ConnectAsync(connection, info => new SftpClient(info), cancellationToken);

    private async Task<T> ConnectAsync<T>(ConnectionInputs connection, Func<ConnectionInfo, T> factory, CancellationToken cancellationToken)
        where T : BaseClient
    {
        var failures = connection.Check().ToList();
        if (failures.Count > 0) throw new ProviderException(string.Join("; ", failures.Select(f => $"{f.Property}: {f.Reason}")));
        var target = $"{connection.User}@{connection.Host}:{connection.Port}";
        var verifier = new HostKeyVerifier(connection);
        var attempts = 0;
        var pipeline = BuildPipeline(connection, target, verifier);
        try
        {
            return await pipeline.ExecuteAsync(async ct =>
            {
                attempts++;
                return await DialOnceAsync(connection, factory, verifier, ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (verifier.Refusal is { } refusal)
        {
            throw new ProviderException(refusal);
        }
        catch (SshAuthenticationException ex)
        {
            throw new ProviderException($"SSH authentication as {target} failed ({ex.Message}); check connection.user and connection.privateKey or connection.password");
        }
        catch (Exception ex) when (IsDialError(ex, cancellationToken))
        {
            throw new ProviderException($"could not connect to {target} after {attempts} attempt{(attempts == 1 ? "" : "s")} (dialErrorLimit {connection.DialErrorLimit}): {Describe(ex)}", ex);
        }
    }

    private ResiliencePipeline BuildPipeline(ConnectionInputs connection, string target, HostKeyVerifier verifier)
    {
        var builder = new ResiliencePipelineBuilder();
        if (connection.DialErrorLimit is -1 or > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex && verifier.Refusal is null && IsDialError(ex, args.Context.CancellationToken)),
                MaxRetryAttempts = connection.DialErrorLimit == -1 ? int.MaxValue : connection.DialErrorLimit - 1,
                BackoffType = DelayBackoffType.Exponential,
                Delay = options.DialBackoff,
                MaxDelay = options.MaxDialBackoff,
                UseJitter = false,
                OnRetry = args =>
                {
                    OperationProgress.Report($"dial {args.AttemptNumber + 1} to {target} failed ({Describe(args.Outcome.Exception!)}); retrying in {args.RetryDelay.TotalSeconds:0.#}s");
                    return ValueTask.CompletedTask;
                },
            });
        }
        return builder.Build();
    }

    private static async Task<T> DialOnceAsync<T>(ConnectionInputs connection, Func<ConnectionInfo, T> factory, HostKeyVerifier verifier, CancellationToken cancellationToken)
        where T : BaseClient
    {
        var methods = AuthenticationMethods(connection);
        var info = new ConnectionInfo(connection.Host, connection.Port, connection.User, [.. methods]);
        if (connection.PerDialTimeout > 0) info.Timeout = TimeSpan.FromSeconds(connection.PerDialTimeout);
        var client = factory(info);
        client.HostKeyReceived += (_, e) => e.CanTrust = verifier.Verify(e.HostKeyName, e.HostKey);
        using var dial = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (connection.PerDialTimeout > 0) dial.CancelAfter(TimeSpan.FromSeconds(connection.PerDialTimeout));
        try
        {
            await client.ConnectAsync(dial.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new TimeoutException($"no SSH session within perDialTimeout ({connection.PerDialTimeout}s)");
        }
        catch
        {
            client.Dispose();
            throw;
        }
        if (verifier.Record() is { } recorded) OperationProgress.Report(recorded);
        return client;
    }

    private static List<AuthenticationMethod> AuthenticationMethods(ConnectionInputs connection)
    {
        var methods = new List<AuthenticationMethod>();
        if (connection.PrivateKey is { Length: > 0 } key)
        {
            PrivateKeyFile file;
            try
            {
                using var stream = new MemoryStream(Encoding.UTF8.GetBytes(key.Trim() + "\n"));
                file = connection.PrivateKeyPassword is { Length: > 0 } pass ? new PrivateKeyFile(stream, pass) : new PrivateKeyFile(stream);
            }
            catch (Exception ex) when (ex is SshException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException)
            {
                // The message never quotes the key itself.
                throw new ProviderException($"connection.privateKey could not be read ({ex.GetType().Name}: {ex.Message}); give the key's contents (not its path), and privateKeyPassword if it is encrypted");
            }
            methods.Add(new PrivateKeyAuthenticationMethod(connection.User, file));
        }
        if (connection.EffectiveAgentSocket is { Length: > 0 } agent)
        {
            methods.Add(new PrivateKeyAuthenticationMethod(connection.User, new SshAgent(agent)));
        }
        if (connection.Password is { Length: > 0 } password) methods.Add(new PasswordAuthenticationMethod(connection.User, password));
        return methods;
    }

    private static bool IsDialError(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        SshAuthenticationException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        SocketException or SshConnectionException or SshOperationTimeoutException or TimeoutException or ProxyException or IOException => true,
        _ => false,
    };

    private static string Describe(Exception ex) => ex switch
    {
        SocketException s => $"{s.SocketErrorCode}: {s.Message}",
        _ => ex.Message,
    };
}

/// <summary>Tuning for the command provider (tests shorten the dial backoff).</summary>
public sealed record CommandProviderOptions
{
    /// <summary>The first wait between dials; it doubles each time up to <see cref="MaxDialBackoff"/>.</summary>
    public TimeSpan DialBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxDialBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
