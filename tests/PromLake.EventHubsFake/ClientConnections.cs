using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using Amqp;
using Amqp.Framing;
using Amqp.Handler;
using Amqp.Listener;

namespace PromLake.EventHubsFake;

/// <summary>
///   One client connection: its socket (so a fault can cut it without an AMQP close) and the
///   links on which it receives $cbs and $management responses, by reply-to address.
/// </summary>
internal sealed class ClientConnection(Connection connection, Socket? socket)
{
    private readonly ConcurrentDictionary<string, ListenerLink> responseLinks = new(StringComparer.Ordinal);

    public void AddResponseLink(string address, ListenerLink link) => responseLinks[address] = link;

    public void RemoveResponseLink(string address, ListenerLink link) =>
        responseLinks.TryRemove(new KeyValuePair<string, ListenerLink>(address, link));

    public bool TryGetResponseLink(string address, [NotNullWhen(true)] out ListenerLink? link) =>
        responseLinks.TryGetValue(address, out link);

    /// <summary>
    ///   Resets the TCP connection: no AMQP close, no detach, as when a network path or a service
    ///   node dies. The client sees its socket fail with sends still unsettled.
    /// </summary>
    public void Drop()
    {
        if (socket is null)
        {
            connection.Close(TimeSpan.Zero, new Error("amqp:connection:forced") { Description = "Dropped by the fake broker." });
            return;
        }

        try
        {
            // Linger 0 makes Close send RST instead of FIN.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

/// <summary>Tracks the client connections of a broker, and counts them.</summary>
internal sealed class ClientConnections
{
    private readonly ConcurrentDictionary<Connection, ClientConnection> open = new();
    private int accepted;

    public int Accepted => Volatile.Read(ref accepted);

    /// <summary>A handler for one accepted socket; AMQPNetLite creates one per socket through HandlerFactory.</summary>
    public IHandler CreateTap() => new SocketTap(this);

    public void DropAll()
    {
        foreach (var connection in open.Values)
        {
            connection.Drop();
        }
    }

    public ClientConnection For(Connection connection) =>
        open.GetOrAdd(connection, static c => new ClientConnection(c, socket: null));

    private void Register(Connection connection, Socket? socket)
    {
        Interlocked.Increment(ref accepted);
        open[connection] = new ClientConnection(connection, socket);
        connection.AddClosedCallback((sender, error) => open.TryRemove((Connection)sender, out _));
    }

    /// <summary>Sees the socket accepted and then the AMQP connection made on it, and ties the two together.</summary>
    private sealed class SocketTap(ClientConnections owner) : IHandler
    {
        private Socket? socket;

        public bool CanHandle(EventId id) => id is EventId.SocketAccept or EventId.ConnectionAccept;

        public void Handle(Event protocolEvent)
        {
            switch (protocolEvent.Id)
            {
                case EventId.SocketAccept:
                    socket = protocolEvent.Context as Socket;
                    break;
                case EventId.ConnectionAccept:
                    owner.Register(protocolEvent.Connection, socket ?? protocolEvent.Context as Socket);
                    break;
            }
        }
    }
}
