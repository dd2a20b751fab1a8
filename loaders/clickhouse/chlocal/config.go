package chlocal

import (
	"fmt"
	"os"
	"path/filepath"
)

// configXML is the smallest config 18.16 starts with; newer releases accept
// it too (they still read the <yandex> root). mark_cache_size has no
// default on 18.16: without it the server exits with "Not found: mark_cache_size".
const configXML = `<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <log>%[1]s/log/server.log</log>
        <errorlog>%[1]s/log/server.err.log</errorlog>
        <size>100M</size>
        <count>2</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>%[2]d</tcp_port>
    <http_port>%[3]d</http_port>
    <path>%[1]s/data/</path>
    <tmp_path>%[1]s/tmp/</tmp_path>
    <user_files_path>%[1]s/user_files/</user_files_path>
    <format_schema_path>%[1]s/format_schemas/</format_schema_path>
    <users_config>%[1]s/users.xml</users_config>
    <mark_cache_size>536870912</mark_cache_size>
    <timezone>UTC</timezone>
%[4]s</yandex>
`

// usersXML lets "default" in without a password, from this machine only.
const usersXML = `<?xml version="1.0"?>
<yandex>
    <profiles>
        <default></default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default></default>
    </quotas>
</yandex>
`

// writeConfig lays out dir and returns the path of config.xml.
// cluster is extra XML inside <yandex> (StartCluster's), or "".
func writeConfig(dir string, ports serverPorts, cluster string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for _, sub := range []string{"log", "data", "tmp", "user_files", "format_schemas"} {
		if err := os.MkdirAll(filepath.Join(abs, sub), 0o755); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(abs, "users.xml"), []byte(usersXML), 0o644); err != nil {
		return "", err
	}
	config := filepath.Join(abs, "config.xml")
	body := fmt.Sprintf(configXML, abs, ports.tcp, ports.http, cluster)
	if err := os.WriteFile(config, []byte(body), 0o644); err != nil {
		return "", err
	}
	return config, nil
}
