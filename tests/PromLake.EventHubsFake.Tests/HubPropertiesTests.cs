using Azure.Messaging.EventHubs.Producer;

namespace PromLake.EventHubsFake.Tests;

public sealed class HubPropertiesTests
{
    [Fact]
    public async Task Hub_properties_name_the_hub_and_list_every_partition()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync(new FakeEventHubsBrokerOptions { HubName = "metrics", PartitionCount = 3 });
        await using var producer = new EventHubProducerClient(broker.ConnectionString);

        var properties = await producer.GetEventHubPropertiesAsync();

        Assert.Equal("metrics", properties.Name);
        Assert.Equal(["0", "1", "2"], properties.PartitionIds);
        Assert.True(properties.CreatedOn > DateTimeOffset.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task An_empty_partition_reports_itself_empty()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = new EventHubProducerClient(broker.ConnectionString);

        var properties = await producer.GetPartitionPropertiesAsync("1");

        Assert.Equal("promlake", properties.EventHubName);
        Assert.Equal("1", properties.Id);
        Assert.True(properties.IsEmpty);
    }

    [Fact]
    public async Task Partition_properties_report_the_last_event_stored()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = new EventHubProducerClient(broker.ConnectionString);
        await producer.SendAsync([new Azure.Messaging.EventHubs.EventData("a"u8.ToArray()), new Azure.Messaging.EventHubs.EventData("b"u8.ToArray())], new SendEventOptions { PartitionId = "3" });

        var properties = await producer.GetPartitionPropertiesAsync("3");

        var last = broker.EventsIn("3")[^1];
        Assert.False(properties.IsEmpty);
        Assert.Equal(0, properties.BeginningSequenceNumber);
        Assert.Equal(1, properties.LastEnqueuedSequenceNumber);
        Assert.Equal(last.Offset, properties.LastEnqueuedOffsetString);
        Assert.Equal(last.EnqueuedTime, properties.LastEnqueuedTime);
    }
}
