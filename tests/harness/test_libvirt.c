/* test_libvirt.c - the "libvirt:" address and the CID in a domain's XML, without a
 * daemon (tests/cli/test_libvirt_cli.sh talks to a real one). */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../common/transport.h"
#include "../../harness/libvirt.h"

TEST(libvirt_address_forms)
{
	struct nb_libvirt_addr a;
	char err[NB_ERR_LEN];

	CHECK(nb_libvirt_parse("libvirt:web1", &a, err) == 0);
	CHECK_STR(a.domain, "web1");
	CHECK_STR(a.uri, "");
	CHECK(a.port == NB_VSOCK_PORT_DEFAULT);
	/* uri= runs to the end: the URI's own '?' and '&' stay in it. */
	CHECK(nb_libvirt_parse("libvirt:l2?uri=test+unix:///default?socket=/s&x=1", &a, err) == 0);
	CHECK_STR(a.domain, "l2");
	CHECK_STR(a.uri, "test+unix:///default?socket=/s&x=1");
	CHECK(nb_libvirt_parse("libvirt:l2?port=7431&uri=qemu:///system", &a, err) == 0);
	CHECK(a.port == 7431);
	CHECK_STR(a.uri, "qemu:///system");
	CHECK(nb_libvirt_parse("libvirt:l2?port=9", &a, err) == 0 && a.port == 9);
	CHECK(nb_libvirt_is_address("libvirt:x") && !nb_libvirt_is_address("lab:L1"));
}

TEST(libvirt_address_refused)
{
	struct nb_libvirt_addr a;
	char err[NB_ERR_LEN];

	CHECK(nb_libvirt_parse("libvirt:", &a, err) == -1);
	CHECK(strstr(err, "no domain name") && strstr(err, "expected libvirt:DOMAIN"));
	CHECK(nb_libvirt_parse("libvirt:?uri=qemu:///system", &a, err) == -1);
	CHECK(nb_libvirt_parse("libvirt:a/b", &a, err) == -1);
	CHECK(nb_libvirt_parse("libvirt:x?uri=", &a, err) == -1 && strstr(err, "empty uri="));
	CHECK(nb_libvirt_parse("libvirt:x?port=0", &a, err) == -1 && strstr(err, "bad port="));
	CHECK(nb_libvirt_parse("libvirt:x?port=-1", &a, err) == -1);
	CHECK(nb_libvirt_parse("libvirt:x?port=12x", &a, err) == -1);
	CHECK(nb_libvirt_parse("libvirt:x?colour=red", &a, err) == -1 &&
	      strstr(err, "unknown parameter"));
	CHECK(nb_libvirt_parse("vsock:3:7420", &a, err) == -1);
}

TEST(libvirt_xml_cid)
{
	unsigned cid = 0;

	CHECK(nb_libvirt_xml_cid("<domain><devices><vsock model='virtio'>\n"
				 "  <cid auto='yes' address='3'/>\n"
				 "  <address type='pci' slot='0x02'/>\n</vsock></devices></domain>",
				 &cid) == 1);
	CHECK(cid == 3);
	CHECK(nb_libvirt_xml_cid("<vsock model=\"virtio\"><cid auto=\"no\" address=\"42\"/></vsock>",
				 &cid) == 1 && cid == 42);
	/* auto, not started: no address yet */
	CHECK(nb_libvirt_xml_cid("<devices><vsock model='virtio'><cid auto='yes'/></vsock></devices>",
				 &cid) == 0);
	CHECK(nb_libvirt_xml_cid("<devices><vsock model='virtio'/><cid address='9'/></devices>",
				 &cid) == 0);
	/* an <address> of the PCI slot is not the CID; <vsockfoo> is not <vsock> */
	CHECK(nb_libvirt_xml_cid("<vsock model='virtio'><address type='pci' slot='0x02'/></vsock>"
				 "<cid address='7'/>", &cid) == 0);
	CHECK(nb_libvirt_xml_cid("<devices><vsockfoo/><disk/></devices>", &cid) == -1);
	CHECK(nb_libvirt_xml_cid("<domain><devices/></domain>", &cid) == -1);
	CHECK(nb_libvirt_xml_cid("<vsock><cid address='x3'/></vsock>", &cid) == 0);
}
