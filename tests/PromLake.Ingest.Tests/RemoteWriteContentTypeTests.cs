using PromLake.Protocol.RemoteWrite;

namespace PromLake.Ingest.Tests;

public class RemoteWriteContentTypeTests
{
    [Theory]
    [InlineData(null, RemoteWriteVersion.V1)]
    [InlineData("application/x-protobuf", RemoteWriteVersion.V1)]
    [InlineData("application/x-protobuf;proto=prometheus.WriteRequest", RemoteWriteVersion.V1)]
    [InlineData("Application/X-Protobuf; proto=io.prometheus.write.v2.Request", RemoteWriteVersion.V2)]
    public void Chooses_the_schema_from_the_content_type(string? contentType, RemoteWriteVersion expected)
    {
        Assert.Equal(expected, RemoteWriteContentType.Parse(contentType));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/x-protobuf;proto=io.prometheus.write.v3.Request")]
    public void Anything_else_is_unsupported(string contentType)
    {
        Assert.Null(RemoteWriteContentType.Parse(contentType));
    }
}
