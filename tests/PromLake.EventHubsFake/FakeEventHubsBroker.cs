using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amqp;
using Amqp.Listener;

namespace PromLake.EventHubsFake;

/// <summary>
///   An in-memory Event Hubs namespace with one hub, speaking AMQP 1.0 on a loopback port, so the
///   real <c>Azure.Messaging.EventHubs</c> client — producers, consumers, partition receivers — can
///   be tested against it. Tests read what each partition holds with <see cref="EventsIn" /> and
///   inject the failures of the real service with the fault switches.
/// </summary>
/// <example>
///   <code>
///   await using var broker = await FakeEventHubsBroker.StartAsync(new FakeEventHubsBrokerOptions());
///   await using var producer = new EventHubProducerClient(broker.ConnectionString);
///   </code>
/// </example>
public sealed class FakeEventHubsBroker : IAsyncDisposable
{
    private const int PortAttempts = 10;

    private readonly ContainerHost host;
    private readonly InMemoryEventHub hub;
    private readonly SendFaults faults;
    private readonly ClientConnections connections;
    private int disposed;

    private FakeEventHubsBroker(ContainerHost host, int port, InMemoryEventHub hub, SendFaults faults, ClientConnections connections)
    {
        this.host = host;
        this.hub = hub;
        this.faults = faults;
        this.connections = connections;
        Port = port;

        // UseDevelopmentEmulator=true makes the 5.x client connect with plain AMQP (no TLS) to the
        // endpoint's host and port, as it does for the Event Hubs emulator. The key is never checked.
        ConnectionString = string.Create(
            CultureInfo.InvariantCulture,
            $"Endpoint=sb://localhost:{port};SharedAccessKeyName=fake;SharedAccessKey=ZmFrZQ==;EntityPath={hub.Name};UseDevelopmentEmulator=true");
    }

    /// <summary>A connection string for the hub, to pass to any Event Hubs client.</summary>
    public string ConnectionString { get; }

    /// <summary>The name of the hub.</summary>
    public string HubName => hub.Name;

    /// <summary>The number of partitions, with identifiers "0", "1", ….</summary>
    public int PartitionCount => hub.PartitionIds.Length;

    /// <summary>The loopback port the broker listens on.</summary>
    public int Port { get; }

    /// <summary>How many client connections the broker has accepted; a reconnecting client adds one.</summary>
    public int ConnectionsAccepted => connections.Accepted;

    /// <summary>While true, every send is rejected with <c>com.microsoft:server-busy</c>.</summary>
    public bool RejectSendsWithServerBusy
    {
        get => faults.AlwaysBusy;
        set => faults.AlwaysBusy = value;
    }

    /// <summary>
    ///   Time the broker waits before it settles a send or answers a $management request, as a busy
    ///   service would. Sends on one link stay in order.
    /// </summary>
    public TimeSpan ReplyDelay
    {
        get => faults.ReplyDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            faults.ReplyDelay = value;
        }
    }

    /// <summary>Starts a broker on a loopback port.</summary>
    /// <param name="options">The hub to serve and where to listen; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static Task<FakeEventHubsBroker> StartAsync(FakeEventHubsBrokerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FakeEventHubsBrokerOptions();
        options.Validate();

        var hub = new InMemoryEventHub(options.HubName, options.PartitionCount, options.ConsumerGroups);
        var faults = new SendFaults();

        // With Port = 0 a free port is found first; another process may take it before the listener
        // binds, so that case is retried with a new port.
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var port = options.Port != 0 ? options.Port : FreeLoopbackPort();
            var connections = new ClientConnections();
            var host = CreateHost(port, hub, faults, connections, options.MaxMessageSize);
            try
            {
                host.Open();
                return Task.FromResult(new FakeEventHubsBroker(host, port, hub, faults, connections));
            }
            catch (SocketException) when (options.Port == 0 && attempt < PortAttempts)
            {
                host.Close();
            }
        }
    }

    /// <summary>The events partition <paramref name="partitionId" /> holds, in sequence-number order.</summary>
    /// <exception cref="ArgumentException">The hub has no such partition.</exception>
    public IReadOnlyList<FakeEvent> EventsIn(string partitionId)
    {
        ArgumentNullException.ThrowIfNull(partitionId);
        if (!hub.TryGetPartition(partitionId, out var partition))
        {
            throw new ArgumentException($"Hub '{hub.Name}' has no partition '{partitionId}'; it has {hub.PartitionIds.Length}.", nameof(partitionId));
        }

        return partition.Snapshot();
    }

    /// <summary>Rejects the next <paramref name="count" /> sends with <c>com.microsoft:server-busy</c>.</summary>
    public void RejectNextSendsWithServerBusy(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        faults.RejectNext(count);
    }

    /// <summary>
    ///   Resets the TCP connection of the next send while the client waits for its outcome, either
    ///   before the events are stored (<paramref name="storeFirst" /> false: the send is lost) or
    ///   after (true: the events are stored but never acknowledged, so a retry stores them again).
    /// </summary>
    public void DropConnectionOnNextSend(bool storeFirst) =>
        faults.DropOnNextSend(storeFirst ? ConnectionDrop.AfterStoring : ConnectionDrop.BeforeStoring);

    /// <summary>
    ///   Resets every client connection now, as a service restart would. Clients reconnect on their
    ///   next operation; receivers resume after the last event they received.
    /// </summary>
    public void DropAllConnections() => connections.DropAll();

    /// <summary>Stops listening and closes every client connection.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            host.Close();
        }

        return ValueTask.CompletedTask;
    }

    private static ContainerHost CreateHost(int port, InMemoryEventHub hub, SendFaults faults, ClientConnections connections, int maxMessageSize)
    {
        var host = new ContainerHost(new Address(IPAddress.Loopback.ToString(), port, path: "/", scheme: "AMQP"));
        var listener = host.Listeners[0];

        // MSSBCBS for the Event Hubs client; ANONYMOUS and PLAIN (any credentials) for other AMQP clients.
        listener.SASL.EnableMechanism(AcceptingSaslProfile.CbsMechanism, new AcceptingSaslProfile(AcceptingSaslProfile.CbsMechanism));
        listener.SASL.EnableMechanism(AcceptingSaslProfile.PlainMechanism, new AcceptingSaslProfile(AcceptingSaslProfile.PlainMechanism));
        listener.SASL.EnableAnonymousMechanism = true;
        listener.HandlerFactory = _ => connections.CreateTap();

        host.RegisterLinkProcessor(new LinkRouter(hub, faults, connections, maxMessageSize));
        return host;
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
