package dev.tracestore.cassandra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
    private static final Path DIR = Path.of("/tmp/node-config-test");

    @Test
    void defaults_makeASmallNodeOnCassandrasPorts() {
        NodeConfig config = NodeConfig.builder(DIR).build();

        assertThat(config.address().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(config.seeds()).containsExactly(config.address());
        assertThat(config.nativePort()).isEqualTo(9042);
        assertThat(config.storagePort()).isEqualTo(7000);
        assertThat(config.heapMegabytes()).isEqualTo(256);
        assertThat(config.numTokens()).isEqualTo(1);
        assertThat(config.initialTokens()).isEmpty();
        assertThat(config.dataDirectory()).isEqualTo(DIR);
    }

    @Test
    void yaml_holdsTheNodesValues_andSettingsReplaceDefaults() {
        NodeConfig config = NodeConfig.builder(DIR).address("127.0.0.2").seeds(List.of("127.0.0.1"))
                .nativePort(19042).storagePort(17000).numTokens(2).initialTokens(List.of(-5L, 7L))
                .clusterName("test-1").setting("commitlog_sync_period", "2000ms").setting("cdc_enabled", "true")
                .build();

        String yaml = new NodeFiles(DIR).cassandraYaml(config);

        assertThat(yaml).contains("cluster_name: 'test-1'\n", "num_tokens: 2\n", "initial_token: '-5,7'\n",
                "listen_address: 127.0.0.2\n", "rpc_address: 127.0.0.2\n", "storage_port: 17000\n",
                "native_transport_port: 19042\n", "data_file_directories: ['/tmp/node-config-test/data']\n",
                "commitlog_sync: periodic\n", "auto_snapshot: false\n", "cdc_enabled: true\n",
                "      - seeds: '127.0.0.1:17000'\n");
        assertThat(yaml).contains("commitlog_sync_period: 2000ms\n").doesNotContain("10000ms");
        assertThat(NodeFiles.quote("/data/it's")).isEqualTo("'/data/it''s'");
    }

    @Test
    void build_refusesValuesOutOfRange_namingTheField() {
        assertThatThrownBy(() -> NodeConfig.builder(DIR).heapMegabytes(64).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("heapMegabytes must be 128 to 32768: 64");
        assertThatThrownBy(() -> NodeConfig.builder(DIR).nativePort(70000).build())
                .hasMessage("nativePort must be 0 to 65535: 70000");
        assertThatThrownBy(() -> NodeConfig.builder(DIR).nativePort(7000).build())
                .hasMessage("nativePort and storagePort must differ: both 7000");
        assertThatThrownBy(() -> NodeConfig.builder(DIR).numTokens(2).initialTokens(List.of(1L)).build())
                .hasMessage("initialTokens must hold numTokens (2) tokens: [1]");
        assertThatThrownBy(() -> NodeConfig.builder(DIR).clusterName("a b").build())
                .hasMessageStartingWith("clusterName must match");
    }

    @Test
    void address_mustBeALoopbackLiteral() {
        assertThatThrownBy(() -> NodeConfig.builder(DIR).address("10.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("address must be an IPv4 loopback address (127.x.y.z): '10.0.0.1'");
        assertThatThrownBy(() -> NodeConfig.builder(DIR).address("localhost"))
                .hasMessage("address must be an IPv4 loopback address (127.x.y.z): 'localhost'");
        assertThatThrownBy(() -> NodeConfig.builder(DIR).seeds(List.of("127.0.0.256")))
                .hasMessage("seeds must be an IPv4 loopback address (127.x.y.z): '127.0.0.256'");
    }

    @Test
    void setting_refusesKeysThatABuilderMethodOwns_andMultiLineValues() {
        assertThatThrownBy(() -> NodeConfig.builder(DIR).setting("native_transport_port", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("setting 'native_transport_port' is set by NodeConfig.Builder.nativePort(…)");
        assertThatThrownBy(() -> NodeConfig.builder(DIR).setting("seed_provider", "x"))
                .hasMessage("setting 'seed_provider' is set by NodeConfig.Builder.seeds(…)");
        assertThatThrownBy(() -> NodeConfig.builder(DIR).setting("a", "1\nb: 2"))
                .hasMessage("setting 'a' needs a one-line YAML value: '1\nb: 2'");
        assertThatThrownBy(() -> NodeConfig.builder(DIR).setting("Bad-Key", "1"))
                .hasMessageStartingWith("setting key must match");
    }

    @Test
    void toBuilder_keepsEveryValue() {
        NodeConfig config = NodeConfig.builder(DIR).address("127.0.0.3").nativePort(0).heapMegabytes(512)
                .setting("cdc_enabled", "true").jvmOptions("-Dx=y").build();

        NodeConfig copy = config.toBuilder().build();

        assertThat(copy).usingRecursiveComparison().isEqualTo(config);
    }

    @Test
    void clusterTokens_splitTheRingEvenly_nodesTakingTurns() {
        assertThat(CassandraCluster.token(0, 3, 0, 1)).isEqualTo(Long.MIN_VALUE);
        assertThat(CassandraCluster.token(1, 3, 0, 1)).isEqualTo(-3074457345618258603L);
        assertThat(CassandraCluster.token(2, 3, 0, 1)).isEqualTo(3074457345618258602L);
        // 2 nodes with 2 tokens each: node 0 owns ranges 0 and 2 of 4, node 1 ranges 1 and 3.
        assertThat(List.of(CassandraCluster.token(0, 2, 0, 2), CassandraCluster.token(1, 2, 0, 2),
                CassandraCluster.token(0, 2, 1, 2), CassandraCluster.token(1, 2, 1, 2)))
                .containsExactly(Long.MIN_VALUE, -(1L << 62), 0L, 1L << 62);
    }
}
