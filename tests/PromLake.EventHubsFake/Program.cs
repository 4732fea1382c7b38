using System.Globalization;
using PromLake.EventHubsFake;

// dotnet run --project tests/PromLake.EventHubsFake -- [--port 5672] [--partitions 4] [--hub promlake]
// Prints the connection string for PromLake__EventHubs__ConnectionString and serves until stopped.
var options = new FakeEventHubsBrokerOptions { Port = 5672 };
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port":
            options.Port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--partitions":
            options.PartitionCount = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--hub":
            options.HubName = args[i + 1];
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; usage: [--port N] [--partitions N] [--hub NAME]");
            return 2;
    }
}

await using var broker = await FakeEventHubsBroker.StartAsync(options);
Console.WriteLine(broker.ConnectionString);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

return 0;
