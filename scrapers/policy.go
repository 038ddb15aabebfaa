package scrapers

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/calmreply/calmreply/shared/site"
)

// MustPolicy decodes a platform's embedded policy.json. A field that
// site.Policy does not have is an error, so a misspelt rule cannot read as
// "no rule"; as the file is embedded, a bad one panics in every test.
func MustPolicy(platform string, data []byte) site.Policy {
	p, err := decodePolicy(data)
	if err != nil {
		panic(fmt.Sprintf("scrapers: %s: embedded policy.json: %v", platform, err))
	}
	return p
}

func decodePolicy(data []byte) (site.Policy, error) {
	var p site.Policy
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return site.Policy{}, err
	}
	if dec.More() {
		return site.Policy{}, fmt.Errorf("data after the policy object")
	}
	return p, nil
}
